locals {
  # Jars from a local build unless lambda_dir points at downloaded ones (modules/download-lambda).
  repo_root                = "${path.module}/../../.."
  webhook_lambda_zip       = var.lambda_dir == null ? "${local.repo_root}/webhook/target/spotrunner-webhook.jar" : "${var.lambda_dir}/spotrunner-webhook.jar"
  runners_lambda_zip       = var.lambda_dir == null ? "${local.repo_root}/runners/target/spotrunner-runners.jar" : "${var.lambda_dir}/spotrunner-runners.jar"
  binary_syncer_lambda_zip = var.lambda_dir == null ? "${local.repo_root}/binary-syncer/target/spotrunner-binary-syncer.jar" : "${var.lambda_dir}/spotrunner-binary-syncer.jar"
}
