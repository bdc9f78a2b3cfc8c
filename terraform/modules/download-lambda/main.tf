locals {
  jars     = ["spotrunner-webhook.jar", "spotrunner-runners.jar", "spotrunner-binary-syncer.jar"]
  base_url = "${var.github_url}/${var.repository}/releases/download/v${var.release_version}"
}

# Downloads the release's jars and checks each against its SHA256SUMS line, which must exist; with
# jar_sha256 each jar must also match the sum pinned here (a sums file from the same release proves
# only that the two were uploaded together). Re-runs when the version or a pinned sum changes.
# Needs curl and sha256sum on the machine running Terraform.
resource "terraform_data" "download" {
  triggers_replace = [var.release_version, var.repository, var.directory, var.jar_sha256]
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
        grep -qE "^[0-9a-f]{64}  $jar$" SHA256SUMS || { echo "SHA256SUMS of the release has no line for $jar: refused" >&2; exit 1; }
      done
      grep -E ' (${join("|", local.jars)})$' SHA256SUMS | sha256sum --check --strict
      while read -r sum jar; do
        [ -n "$sum" ] || continue
        echo "$sum  $jar" | sha256sum --check --strict || { echo "$jar does not match the sha256 pinned in jar_sha256" >&2; exit 1; }
      done <<<"$PINNED"
    EOT
    environment = {
      DIR      = var.directory
      BASE_URL = local.base_url
      PINNED   = join("\n", [for jar, sum in var.jar_sha256 : "${sum} ${jar}"])
    }
  }
}
