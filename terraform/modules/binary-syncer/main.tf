data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.prefix}-binary-syncer"
  bucket_name   = coalesce(var.runner_bucket_name, "${var.prefix}-runner-cache-${data.aws_region.current.name}-${data.aws_caller_identity.current.account_id}")
}

# ---------------------------------------------------------------------------------------------
# Runner cache bucket: private, encrypted, TLS only.
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "cache" {
  bucket        = local.bucket_name
  force_destroy = var.runner_bucket_force_destroy
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
  count  = var.runner_bucket_noncurrent_days == null ? 0 : 1
  bucket = aws_s3_bucket.cache.id
  rule {
    id     = "expire-replaced-tarballs"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.runner_bucket_noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.cache]
}

resource "aws_s3_bucket_policy" "cache" {
  count  = var.runner_bucket_require_tls ? 1 : 0
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
  description     = "spotrunner binary syncer: keeps the verified runner tarball in S3"
  handler         = "dev.spotrunner.syncer.BinarySyncerHandler::handleRequest"
  memory_mb       = var.memory_mb
  timeout_seconds = var.timeout_seconds
  # One sync at a time: two runs would upload the same objects twice.
  reserved_concurrency = 1
  schedule             = { expression = var.schedule_expression, description = "spotrunner binary syncer" }

  policy_name = "binary-syncer"
  policy_statements = concat([
    {
      Sid      = "ReadAndWriteTarballs"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
      Resource = "${aws_s3_bucket.cache.arn}/${var.runner_key_prefix}*"
    },
    {
      Sid       = "ListTarballs"
      Effect    = "Allow"
      Action    = ["s3:ListBucket"]
      Resource  = aws_s3_bucket.cache.arn
      Condition = { StringLike = { "s3:prefix" = ["${var.runner_key_prefix}*"] } }
    },
    ], var.kms_key_arn == null ? [] : [{
      # the cache's objects (PutObject needs a data key), only through S3
      Sid       = "Kms"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com" } }
  }])

  environment = {
    GITHUB_API_URL = var.runner_release_api_url
    BUCKET_NAME    = aws_s3_bucket.cache.id
    KEY_PREFIX     = var.runner_key_prefix
    PLATFORMS      = join(",", var.platforms)
    RUNNER_VERSION = var.runner_version
  }
}
