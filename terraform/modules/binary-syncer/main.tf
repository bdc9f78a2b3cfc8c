data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-binary-syncer"
  bucket_name   = coalesce(var.bucket_name, "${var.prefix}-runner-cache-${data.aws_region.current.name}-${data.aws_caller_identity.current.account_id}")
}

# ---------------------------------------------------------------------------------------------
# Runner cache bucket: private, encrypted, TLS only.
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "cache" {
  bucket        = local.bucket_name
  force_destroy = var.bucket_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "cache" {
  bucket                  = aws_s3_bucket.cache.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "cache" {
  bucket = aws_s3_bucket.cache.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "cache" {
  bucket = aws_s3_bucket.cache.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "cache" {
  bucket = aws_s3_bucket.cache.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "cache" {
  bucket = aws_s3_bucket.cache.id
  rule {
    id     = "expire-replaced-tarballs"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.cache]
}

resource "aws_s3_bucket_policy" "cache" {
  count  = var.require_tls ? 1 : 0
  bucket = aws_s3_bucket.cache.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.cache.arn, "${aws_s3_bucket.cache.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.cache]
}

# ---------------------------------------------------------------------------------------------
# The syncer Lambda on a schedule.
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "syncer" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "syncer" {
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

resource "aws_iam_role_policy" "syncer" {
  name = "binary-syncer"
  role = aws_iam_role.syncer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.syncer.arn}:*"
      },
      {
        Sid      = "ReadAndWriteTarballs"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = "${aws_s3_bucket.cache.arn}/${var.key_prefix}*"
      },
      {
        Sid       = "ListTarballs"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = aws_s3_bucket.cache.arn
        Condition = { StringLike = { "s3:prefix" = ["${var.key_prefix}*"] } }
      },
      ], var.kms_key_arn == null ? [] : [{
        Sid      = "Kms"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arn
    }])
  })
}

resource "aws_iam_role_policy_attachment" "vpc" {
  count = var.lambda_vpc_config == null ? 0 : 1

  role       = aws_iam_role.syncer.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_lambda_function" "syncer" {
  function_name    = local.function_name
  description      = "spotrunner binary syncer: keeps the verified runner tarball in S3"
  role             = aws_iam_role.syncer.arn
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  handler          = "dev.spotrunner.syncer.BinarySyncerHandler::handleRequest"
  runtime          = var.lambda_runtime
  architectures    = [var.lambda_architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  # One sync at a time: two runs would upload the same objects twice.
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
      ENVIRONMENT       = var.prefix
      GITHUB_API_URL    = var.github_api_url
      BUCKET_NAME       = aws_s3_bucket.cache.id
      KEY_PREFIX        = var.key_prefix
      PLATFORMS         = join(",", var.platforms)
      RUNNER_VERSION    = var.runner_version
      LOG_LEVEL         = var.log_level
      JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.syncer, aws_iam_role_policy.syncer]
}

resource "aws_cloudwatch_event_rule" "syncer" {
  name                = local.function_name
  description         = "spotrunner binary syncer"
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "syncer" {
  rule = aws_cloudwatch_event_rule.syncer.name
  arn  = aws_lambda_function.syncer.arn
}

resource "aws_lambda_permission" "syncer" {
  statement_id  = "AllowEventBridgeInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.syncer.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.syncer.arn
}
