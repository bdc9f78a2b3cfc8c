data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-spot-interruptions"
  ssm_arn       = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
  state_path    = "/${var.prefix}/interruptions"
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
}

# ---------------------------------------------------------------------------------------------
# Spot interruptions: acts on the two-minute warning (idle runners deregistered, busy ones
# recorded), removes the runners of terminated instances, re-runs jobs spot interrupted, and keeps
# each pool's spot circuit breaker (docs/interruptions.md).
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "interruptions" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "interruptions" {
  name                 = "${local.function_name}-role"
  path                 = var.iam.role_path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "interruptions" {
  name = "spot-interruptions"
  role = aws_iam_role.interruptions.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.interruptions.arn}:*"
      },
      {
        Sid    = "ReadGitHubApp"
        Effect = "Allow"
        Action = ["ssm:GetParameter"]
        Resource = [
          "${local.ssm_arn}/${trimprefix(var.github_app_id_parameter_name, "/")}",
          "${local.ssm_arn}/${trimprefix(var.github_app_key_parameter_name, "/")}",
        ]
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
        Sid      = "Kms"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arn
    }])
  })
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

resource "aws_iam_role_policy_attachment" "vpc" {
  count = var.lambda_vpc_config == null ? 0 : 1

  role       = aws_iam_role.interruptions.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_lambda_function" "interruptions" {
  function_name    = local.function_name
  description      = "spotrunner spot interruptions: warnings, ghosts, re-runs, spot circuit breaker"
  role             = aws_iam_role.interruptions.arn
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  handler          = "dev.spotrunner.runners.interruption.InterruptionHandler::handleRequest"
  runtime          = var.lambda_runtime
  architectures    = [var.lambda_architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  # One writer of the breaker state and the re-run counters: events queue instead of racing.
  reserved_concurrent_executions = 1

  dynamic "vpc_config" {
    for_each = var.lambda_vpc_config == null ? [] : [var.lambda_vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  environment {
    variables = {
      ENVIRONMENT             = var.prefix
      GITHUB_API_URL          = var.github_api_url
      GITHUB_APP_ID_PARAM     = var.github_app_id_parameter_name
      GITHUB_APP_KEY_PARAM    = var.github_app_key_parameter_name
      INTERRUPTION_POOLS      = jsonencode(var.pools)
      INTERRUPTION_MAX_POINTS = tostring(var.max_points_per_run)
      RERUN_WATCH_HOURS       = tostring(var.rerun_watch_hours)
      LOG_LEVEL               = var.log_level
      JAVA_TOOL_OPTIONS       = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.interruptions, aws_iam_role_policy.interruptions]
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
  arn  = aws_lambda_function.interruptions.arn
}

resource "aws_lambda_permission" "instances" {
  for_each = local.instance_events

  statement_id  = "AllowEventBridge-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.interruptions.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.instances[each.key].arn
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${local.function_name}-follow-up"
  description         = "spotrunner: follow up interrupted jobs and spot breakers"
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.interruptions.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.interruptions.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
