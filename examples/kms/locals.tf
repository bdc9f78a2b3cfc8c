locals {
  # Jars from a local build unless lambda_dir points at downloaded ones (modules/download-lambda).
  repo_root                = "${path.module}/../.."
  webhook_lambda_zip       = var.lambda_dir == null ? "${local.repo_root}/webhook/target/spotrunner-webhook.jar" : "${var.lambda_dir}/spotrunner-webhook.jar"
  runners_lambda_zip       = var.lambda_dir == null ? "${local.repo_root}/runners/target/spotrunner-runners.jar" : "${var.lambda_dir}/spotrunner-runners.jar"
  binary_syncer_lambda_zip = var.lambda_dir == null ? "${local.repo_root}/binary-syncer/target/spotrunner-binary-syncer.jar" : "${var.lambda_dir}/spotrunner-binary-syncer.jar"

  # What the module is given, named once: the key policy below names the roles the module creates from
  # these (the key exists before the roles, so it cannot reference them).
  prefix    = "kms"
  role_path = "/spotrunner/"
  pools = [{
    name           = "linux"
    labels         = ["self-hosted", "linux", "x64"]
    instance_types = ["m7a.large", "m6a.large", "m6i.large", "m5.large"]
    max_count      = 10
  }]
}
