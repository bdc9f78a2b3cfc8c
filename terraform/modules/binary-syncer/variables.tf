variable "prefix" {
  description = "Name prefix of every resource and the ENVIRONMENT of the Lambda (letters, digits and dashes)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "runner_bucket_name" {
  description = "Name of the runner cache bucket; null derives one from the prefix, region and account."
  type        = string
  default     = null
}

variable "runner_bucket_force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its runner tarballs in it."
  type        = bool
  default     = true
}

variable "runner_bucket_require_tls" {
  description = "Deny every request to the bucket that does not use TLS (keep true; an emulator on plain HTTP needs false)."
  type        = bool
  default     = true
}

variable "runner_bucket_noncurrent_days" {
  description = "Days a replaced tarball (noncurrent version) is kept before the lifecycle rule expires it; null: no lifecycle rule."
  type        = number
  default     = 7
}

variable "runner_key_prefix" {
  description = "Object key prefix of the runner tarballs, ending in a slash."
  type        = string
  default     = "actions-runner/"
}

variable "lambda" {
  description = "What every function shares (runtime, architecture, VPC placement, LOG_LEVEL): modules/function's `lambda` input, built once by the root module."
  type        = any
}

variable "lambda_zip" {
  description = "Path of the syncer jar (spotrunner-binary-syncer.jar)."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function in MB (it streams the ~200 MB tarball)."
  type        = number
  default     = 512
}

variable "timeout_seconds" {
  description = "Timeout of the function in seconds (one run may stream several ~200 MB tarballs)."
  type        = number
  default     = 900
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key encrypting the bucket and the log group; null uses SSE-S3 and the default log encryption."
  type        = string
  default     = null
}

variable "runner_release_api_url" {
  description = "GitHub REST base URL the runner releases are read from (actions/runner lives on github.com, also for GHES users)."
  type        = string
  default     = "https://api.github.com"
}

variable "platforms" {
  description = "Runner platforms to keep in the bucket, e.g. linux-x64 and linux-arm64."
  type        = list(string)
  default     = ["linux-x64"]
}

variable "runner_version" {
  description = "Runner version to sync: latest or a pinned version such as 2.330.0."
  type        = string
  default     = "latest"
}

variable "schedule_expression" {
  description = "EventBridge schedule of the syncer, e.g. rate(1 hour)."
  type        = string
  default     = "rate(1 hour)"
}

# --- security (docs/security.md) ---------------------------------------------------------------

variable "iam" {
  description = "Path and optional permissions boundary for every IAM role this module creates."
  type = object({
    role_path            = optional(string, "/")
    permissions_boundary = optional(string)
  })
  default = {}
}
