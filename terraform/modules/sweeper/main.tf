data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-redelivery-sweeper"
  ssm_arn       = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
}

# ---------------------------------------------------------------------------------------------
# The redelivery sweeper: GitHub never redelivers a failed webhook delivery by itself, so this
# function lists the App's recent deliveries and redelivers failed queued workflow jobs once each.
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "sweeper" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "sweeper" {
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

# Logs and the App's id and key (to sign its JWT): nothing else in AWS.
resource "aws_iam_role_policy" "sweeper" {
  name = "redelivery-sweeper"
  role = aws_iam_role.sweeper.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.sweeper.arn}:*"
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
      ], var.kms_key_arn == null ? [] : [{
        Sid      = "Kms"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = var.kms_key_arn
    }])
  })
}

resource "aws_iam_role_policy_attachment" "vpc" {
  count = var.lambda_vpc_config == null ? 0 : 1

  role       = aws_iam_role.sweeper.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_lambda_function" "sweeper" {
  function_name    = local.function_name
  description      = "spotrunner redelivery sweeper: redelivers failed workflow_job webhook deliveries once"
  role             = aws_iam_role.sweeper.arn
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  handler          = "dev.spotrunner.runners.sweeper.SweeperHandler::handleRequest"
  runtime          = var.lambda_runtime
  architectures    = [var.lambda_architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  # One run at a time: two overlapping runs could both redeliver the same delivery.
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
      ENVIRONMENT              = var.prefix
      GITHUB_API_URL           = var.github_api_url
      GITHUB_APP_ID_PARAM      = var.github_app_id_parameter_name
      GITHUB_APP_KEY_PARAM     = var.github_app_key_parameter_name
      GITHUB_WEB_URL           = var.github_web_url
      SWEEPER_LOOKBACK_MINUTES = tostring(var.lookback_minutes)
      SWEEPER_MAX_POINTS       = tostring(var.max_points_per_run)
      LOG_LEVEL                = var.log_level
      JAVA_TOOL_OPTIONS        = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.sweeper, aws_iam_role_policy.sweeper]
}

resource "aws_cloudwatch_event_rule" "sweeper" {
  name                = local.function_name
  description         = "spotrunner redelivery sweeper"
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "sweeper" {
  rule = aws_cloudwatch_event_rule.sweeper.name
  arn  = aws_lambda_function.sweeper.arn
}

resource "aws_lambda_permission" "sweeper" {
  statement_id  = "AllowEventBridgeInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.sweeper.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sweeper.arn
}
