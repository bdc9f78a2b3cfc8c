data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-redelivery-sweeper"
  ssm_arn       = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
  # every App's id and key parameter, comma-separated in the environment (docs/github-app.md)
  app_parameter_arns = [
    for name in concat([for app in var.github_apps : app.id_parameter], [for app in var.github_apps : app.key_parameter]) :
    "${local.ssm_arn}/${trimprefix(name, "/")}"
  ]
  # the function's environment (tests/apps.tftest.hcl asserts on it)
  environment = {
    GITHUB_API_URL           = var.github_api_url
    GITHUB_APP_ID_PARAM      = join(",", [for app in var.github_apps : app.id_parameter])
    GITHUB_APP_KEY_PARAM     = join(",", [for app in var.github_apps : app.key_parameter])
    GITHUB_WEB_URL           = var.github_web_url
    SWEEPER_LOOKBACK_MINUTES = tostring(var.lookback_minutes)
    SWEEPER_MAX_POINTS       = tostring(var.max_points_per_run)
  }
}

# ---------------------------------------------------------------------------------------------
# The redelivery sweeper: GitHub never redelivers a failed webhook delivery by itself, so this
# function lists every App's recent deliveries and redelivers failed queued workflow jobs once each,
# each through the App whose log lists it.
# ---------------------------------------------------------------------------------------------

module "function" {
  source = "../function"

  prefix             = var.prefix
  tags               = var.tags
  iam                = var.iam
  kms_key_arn        = var.kms_key_arn
  log_retention_days = var.log_retention_days
  lambda             = var.lambda
  lambda_zip         = var.lambda_zip

  name            = local.function_name
  description     = "spotrunner redelivery sweeper: redelivers failed workflow_job webhook deliveries once"
  handler         = "dev.spotrunner.runners.sweeper.SweeperHandler::handleRequest"
  memory_mb       = var.memory_mb
  timeout_seconds = var.timeout_seconds
  # One run at a time: two overlapping runs could both redeliver the same delivery.
  reserved_concurrency = 1
  schedule             = { expression = var.schedule_expression, description = "spotrunner redelivery sweeper" }

  # Logs and every App's id and key (to sign its JWTs): nothing else in AWS.
  policy_name = "redelivery-sweeper"
  policy_statements = concat([
    {
      Sid      = "ReadGitHubApp"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter"]
      Resource = local.app_parameter_arns
    },
    ], var.kms_key_arn == null ? [] : [{
      # the App key, only through SSM
      Sid       = "Kms"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = "ssm.${data.aws_region.current.name}.amazonaws.com" } }
  }])

  environment = local.environment
}
