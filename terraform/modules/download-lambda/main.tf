locals {
  jars     = ["spotrunner-webhook.jar", "spotrunner-runners.jar", "spotrunner-binary-syncer.jar"]
  base_url = "${var.github_url}/${var.repository}/releases/download/v${var.release_version}"
}

# Downloads the release's jars and checks them against its SHA256SUMS; re-runs when the version changes.
# Needs curl and sha256sum on the machine running Terraform.
resource "terraform_data" "download" {
  triggers_replace = [var.release_version, var.repository, var.directory]
  input            = var.release_version

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      mkdir -p "$DIR"
      cd "$DIR"
      curl -sSfL -o SHA256SUMS "$BASE_URL/SHA256SUMS"
      for jar in ${join(" ", local.jars)}; do
        curl -sSfL -o "$jar" "$BASE_URL/$jar"
      done
      grep -E ' (${join("|", local.jars)})$' SHA256SUMS | sha256sum --check --strict
    EOT
    environment = {
      DIR      = var.directory
      BASE_URL = local.base_url
    }
  }
}
