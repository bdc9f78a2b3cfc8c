data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-spot-interruptions"
  ssm_arn       = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
  # every App's id and key parameter, comma-separated in the environment (docs/github-app.md)
  app_parameter_arns = [
    for name in concat([for app in var.github_apps : app.id_parameter], [for app in var.github_apps : app.key_parameter]) :
    "${local.ssm_arn}/${trimprefix(name, "/")}"
  ]
  state_path = "/${var.prefix}/interruptions"
  # EventBridge cannot match instance tags: every instance of the account and region is sent, and
  # the function acts only on those tagged with this environment.
  instance_events = merge({
    warning = {
      description = "spot interruption warnings"
      pattern     = { source = ["aws.ec2"], "detail-type" = ["EC2 Spot Instance Interruption Warning"] }
    }
    terminated = {
      description = "instances terminated"
      pattern = { source = ["aws.ec2"], "detail-type" = ["EC2 Instance State-change Notification"],
      detail = { state = ["terminated"] } }
    }
    }, var.rebalance_recommendations ? {
    rebalance = {
      description = "rebalance recommendations"
      pattern     = { source = ["aws.ec2"], "detail-type" = ["EC2 Instance Rebalance Recommendation"] }
    }
  } : {})
  # the function's environment (tests/apps.tftest.hcl asserts on it); GITHUB_POINTS_PER_MINUTE is
  # the set-aside its governor holds every call to, so the installation's sum stays under the limit
  environment = {
    GITHUB_API_URL           = var.github_api_url
    GITHUB_APP_ID_PARAM      = join(",", [for app in var.github_apps : app.id_parameter])
    GITHUB_APP_KEY_PARAM     = join(",", [for app in var.github_apps : app.key_parameter])
    GITHUB_POINTS_PER_MINUTE = tostring(var.github_points_per_minute)
    INTERRUPTION_POOLS       = jsonencode(var.pools)
    INTERRUPTION_MAX_POINTS  = tostring(var.max_points_per_run)
    RERUN_WATCH_HOURS        = tostring(var.rerun_watch_hours)
  }
}

# ---------------------------------------------------------------------------------------------
# Spot interruptions: acts on the two-minute warning (idle runners deregistered, busy ones
# recorded), removes the runners of terminated instances, re-runs jobs spot interrupted, and keeps
# each pool's spot circuit breaker (docs/interruptions.md).
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
  description     = "spotrunner spot interruptions: warnings, ghosts, re-runs, spot circuit breaker"
  handler         = "dev.spotrunner.runners.interruption.InterruptionHandler::handleRequest"
  memory_mb       = var.memory_mb
  timeout_seconds = var.timeout_seconds
  # One writer of the breaker state and the re-run counters: events queue instead of racing.
  reserved_concurrency = 1
  schedule = {
    expression   = var.schedule_expression
    name         = "${local.function_name}-follow-up"
    description  = "spotrunner: follow up interrupted jobs and spot breakers"
    statement_id = "AllowEventBridgeSchedule"
  }

  policy_name = "spot-interruptions"
  policy_statements = concat([
    {
      Sid      = "ReadGitHubApp"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter"]
      Resource = local.app_parameter_arns
    },
    {
      Sid      = "State"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter", "ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameter"]
      Resource = ["${local.ssm_arn}${local.state_path}", "${local.ssm_arn}${local.state_path}/*"]
    },
    {
      # DescribeInstances has no resource-level permissions
      Sid      = "Describe"
      Effect   = "Allow"
      Action   = ["ec2:DescribeInstances"]
      Resource = "*"
    },
    {
      # only this environment's instances: never another deployment's
      Sid       = "TagAndRetire"
      Effect    = "Allow"
      Action    = ["ec2:CreateTags", "ec2:TerminateInstances"]
      Resource  = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/*"
      Condition = { StringEquals = { "ec2:ResourceTag/spotrunner:environment" = var.prefix } }
    },
    ], var.kms_key_arn == null ? [] : [{
      # the App key and its state parameters, only through SSM
      Sid       = "Kms"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = "ssm.${data.aws_region.current.name}.amazonaws.com" } }
  }])

  environment = local.environment
}

# Scale-up and scale-down read their pool's breaker state before asking spot for instances.
resource "aws_iam_role_policy" "launchers" {
  for_each = toset(var.launcher_role_names)

  name = "spot-breaker-read"
  role = each.value
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadSpotBreaker"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter"]
      Resource = "${local.ssm_arn}${local.state_path}/*/breaker"
    }]
  })
}

resource "aws_cloudwatch_event_rule" "instances" {
  for_each = local.instance_events

  name          = "${local.function_name}-${each.key}"
  description   = "spotrunner: ${each.value.description}"
  event_pattern = jsonencode(each.value.pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "instances" {
  for_each = local.instance_events

  rule = aws_cloudwatch_event_rule.instances[each.key].name
  arn  = module.function.function_arn
}

resource "aws_lambda_permission" "instances" {
  for_each = local.instance_events

  statement_id  = "AllowEventBridge-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.instances[each.key].arn
}
