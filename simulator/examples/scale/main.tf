# Ephemeral JIT runners: every job gets a fresh instance whose runner is configured by a just-in-time
# config (no registration token on the instance), then the instance terminates. Two warm runners are
# kept on weekday mornings.
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

  # the simulator's comparisons: 1, 2 or 4 Apps; the spot breaker on or off (docs/simulator.md)
  github_apps        = var.github_apps
  spot_interruptions = var.spot_interruptions

  repository_allow_list = ["acme/*"]

  pools = [{
    name           = "jit"
    labels         = ["self-hosted", "linux", "x64", "jit"]
    instance_types = ["c7a.large", "c6a.large", "c6i.large"]
    max_count      = 5000
    ephemeral      = true
    use_jit_config = true
    delay_seconds  = 0
    warm_windows = [{
      cron      = "0 7-10 * * MON-FRI"
      time_zone = "Europe/Berlin"
      idle      = 2
      owner     = "acme"
    }]
  }]
}
