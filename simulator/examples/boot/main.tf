# Simulator configuration: examples/ephemeral's JIT pool with its boot path as a variable, to compare
# the install and prebuilt boot paths on the same trace (docs/images.md, "Expected boot times").
module "spotrunner" {
  source = "../../../terraform"

  prefix     = "jit"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  webhook_lambda_zip       = local.webhook_lambda_zip
  runners_lambda_zip       = local.runners_lambda_zip
  binary_syncer_lambda_zip = local.binary_syncer_lambda_zip

  github_app = {
    id             = var.github_app_id
    key            = var.github_app_key_base64
    webhook_secret = var.webhook_secret
  }

  repository_allow_list = ["acme/*"]

  pools = [{
    name           = "jit"
    labels         = ["self-hosted", "linux", "x64", "jit"]
    instance_types = ["c7a.large", "c6a.large", "c6i.large"]
    max_count      = 20
    ephemeral      = true
    use_jit_config = true
    delay_seconds  = 10
    boot           = var.boot
    ami_id         = var.ami_id
    os             = var.os
  }]
}
