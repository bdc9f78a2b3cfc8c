data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-webhook"
  ssm_arn       = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"

  pools_json = jsonencode([
    for pool in var.pools : {
      name         = pool.name
      labels       = pool.labels
      match        = pool.match
      priority     = pool.priority
      queueUrl     = pool.queue_url
      delaySeconds = pool.delay_seconds
      default      = pool.default
    }
  ])
  pools_parameter_name = "/${var.prefix}/webhook/pools"

  # What the function may read: the webhook secrets and, when used, the pools parameter.
  readable_parameters = concat(
    [for name in var.webhook_secret_parameter_names : "${local.ssm_arn}/${trimprefix(name, "/")}"],
    var.pools_in_ssm ? ["${local.ssm_arn}${local.pools_parameter_name}"] : [],
  )
}

resource "aws_ssm_parameter" "pools" {
  count = var.pools_in_ssm ? 1 : 0

  name  = local.pools_parameter_name
  type  = "String"
  value = local.pools_json
  # AWS refuses Standard-tier values over 4,096 characters; many pools is why this parameter exists
  tier = length(local.pools_json) > 4096 ? "Advanced" : "Standard"
  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(local.pools_json) <= 8192
      error_message = "The pools' routing JSON is over SSM's 8 KB Advanced-tier limit: shorten pool names or labels, or split the pools over two deployments."
    }
  }
}

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
  description     = "spotrunner webhook: verifies GitHub workflow_job events and queues them per pool"
  handler         = "dev.spotrunner.webhook.WebhookHandler::handleRequest"
  memory_mb       = var.memory_mb
  timeout_seconds = var.timeout_seconds
  snapstart       = var.lambda_snapstart
  # A burst beyond this is throttled, answered with an error and redelivered by the sweeper.
  reserved_concurrency = var.reserved_concurrency

  policy_name = "webhook"
  policy_statements = concat(
    [
      {
        Sid      = "ReadSecrets"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters"]
        Resource = local.readable_parameters
      },
      {
        Sid      = "SendJobs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
        Resource = [for pool in var.pools : pool.queue_arn]
      },
    ],
    var.kms_key_arn == null ? [] : [{
      # the secrets through SSM, the CMK-encrypted queues through SQS
      Sid       = "Decrypt"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = ["ssm.${data.aws_region.current.name}.amazonaws.com", "sqs.${data.aws_region.current.name}.amazonaws.com"] } }
    }],
  )

  environment = {
    WEBHOOK_SECRET_PARAMS     = join(",", var.webhook_secret_parameter_names)
    POOLS                     = var.pools_in_ssm ? "" : local.pools_json
    POOLS_PARAM               = var.pools_in_ssm ? local.pools_parameter_name : ""
    REPOSITORY_ALLOW_LIST     = join(",", var.repository_allow_list)
    ALLOW_PUBLIC_REPOSITORIES = tostring(var.allow_public_repositories)
    MAX_BODY_BYTES            = tostring(var.max_body_bytes)
    CHECK_RUN_LEGACY          = tostring(var.check_run_legacy)
  }
}

resource "aws_apigatewayv2_api" "webhook" {
  name          = "${var.prefix}-webhook"
  protocol_type = "HTTP"
  description   = "GitHub App webhook endpoint of spotrunner ${var.prefix}"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "webhook" {
  api_id                 = aws_apigatewayv2_api.webhook.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.function.target_invoke_arn
  integration_method     = "POST"
  payload_format_version = "2.0"
  timeout_milliseconds   = min(30000, var.timeout_seconds * 1000 + 1000)
}

resource "aws_apigatewayv2_route" "webhook" {
  api_id    = aws_apigatewayv2_api.webhook.id
  route_key = "POST /webhook"
  target    = "integrations/${aws_apigatewayv2_integration.webhook.id}"
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${var.prefix}-webhook"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.webhook.id
  name        = "$default"
  auto_deploy = true

  # A burst beyond these limits is answered 429: GitHub records the delivery as failed, nothing behind
  # the API is overloaded, and the redelivery sweeper (docs/sweeper.md) sends it again later.
  default_route_settings {
    throttling_burst_limit = var.throttling_burst_limit
    throttling_rate_limit  = var.throttling_rate_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      integration    = "$context.integrationErrorMessage"
    })
  }

  tags = var.tags
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  qualifier     = module.function.alias_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.webhook.execution_arn}/*/*/webhook"
}
