# One organisation-level pool of spot runners. The runners are persistent: registered once with a
# registration token, they take job after job until scale-down finds them idle past the minimum running
# time (see examples/ephemeral for one-job JIT runners).
module "spotrunner" {
  source = "../../terraform"

  prefix     = "ci"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids
  tags       = { Project = "ci-runners" }

  webhook_lambda_zip       = local.webhook_lambda_zip
  runners_lambda_zip       = local.runners_lambda_zip
  binary_syncer_lambda_zip = local.binary_syncer_lambda_zip

  github_app = {
    id             = var.github_app_id
    key            = var.github_app_key_base64
    webhook_secret = var.webhook_secret
  }

  pools = [{
    name           = "linux"
    labels         = ["self-hosted", "linux", "x64"]
    instance_types = ["m7a.large", "m6a.large", "m6i.large", "m5.large"]
    max_count      = 10
    capacity_type  = "spot"
    runner_level   = "org"
    ephemeral      = false
    use_jit_config = false
  }]
}
