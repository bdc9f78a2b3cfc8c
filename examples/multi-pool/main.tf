# Two pools: x64 spot runners for everything labelled linux, and arm64 runners on Graviton for jobs
# that ask for arm64. A job with [self-hosted, linux, arm64] matches only the arm64 pool; a job with
# [self-hosted, linux] matches both and goes to x64: the lowest priority number wins (0-999).
module "spotrunner" {
  source = "../../terraform"

  prefix     = "multi"
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

  pools = [
    {
      name           = "x64"
      labels         = ["self-hosted", "linux", "x64"]
      priority       = 10 # lower wins: x64 takes the jobs both pools match
      default        = true
      architecture   = "x64"
      instance_types = ["m7a.large", "m6a.large", "m6i.large"]
      max_count      = 20
    },
    {
      name                = "arm64"
      labels              = ["self-hosted", "linux", "arm64"]
      priority            = 20
      architecture        = "arm64"
      os                  = "ubuntu"
      instance_types      = ["m7g.large", "m6g.large", "c7g.large"]
      max_count           = 10
      capacity_type       = "spot"
      on_demand_failover  = false
      root_volume_size_gb = 50
      pre_install_script  = "apt-get install -y -q build-essential"
    },
  ]
}
