# The whole module against an AWS emulator: CI applies and destroys it against moto_server, and the
# local stack reads the functions' environment back from the emulator's Lambda API to run the handlers.
resource "aws_vpc" "local" {
  cidr_block = "10.42.0.0/16"
  tags       = { Name = "${var.prefix}-spotrunner" }
}

resource "aws_subnet" "local" {
  for_each = { a = "10.42.1.0/24", b = "10.42.2.0/24" }

  vpc_id            = aws_vpc.local.id
  cidr_block        = each.value
  availability_zone = "${var.aws_region}${each.key}"
  tags              = { Name = "${var.prefix}-spotrunner-${each.key}" }
}

module "spotrunner" {
  source = "../../terraform"

  prefix     = var.prefix
  vpc_id     = aws_vpc.local.id
  subnet_ids = [for s in aws_subnet.local : s.id]
  tags       = { Environment = "local" }

  webhook_lambda_zip       = local.webhook_lambda_zip
  runners_lambda_zip       = local.runners_lambda_zip
  binary_syncer_lambda_zip = local.binary_syncer_lambda_zip
  lambda_snapstart         = var.lambda_snapstart

  github_app = {
    id             = var.github_app_id
    key            = var.github_app_key_base64
    webhook_secret = var.webhook_secret
  }
  github_enterprise_server_url = var.github_enterprise_server_url
  # The stand-in can enforce a lower limit than github.com's 900 (tests reach it with fewer jobs).
  github_points_per_minute_limit = var.github_points_per_minute_limit
  # moto serves plain HTTP, which the bucket's TLS-only policy would refuse.
  runner_bucket_require_tls = false
  # Demo value (module default 7): no lifecycle rule on the runner cache; the AWS provider waits about
  # a minute for a new rule to read back the same on the emulator, and a local stack lives minutes.
  runner_bucket_noncurrent_days = null
  # The stand-in also serves the actions/runner release the binary syncer caches.
  runner_release_api_url = var.github_enterprise_server_url == null ? "https://api.github.com" : "${var.github_enterprise_server_url}/api/v3"

  minimum_running_time_minutes = 1
  boot_grace_minutes           = 2

  # Demo values (variables.tf): a short visibility timeout and a frequent scale-down.
  lambda_settings                = { scale_up_timeout_seconds = var.scale_up_timeout_seconds }
  scale_down_schedule_expression = var.scale_down_schedule_expression

  pools = var.pools
}
