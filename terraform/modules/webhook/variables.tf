variable "prefix" {
  description = "Name prefix of every resource and the ENVIRONMENT of the Lambda (letters, digits and dashes)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "lambda_zip" {
  description = "Path of the webhook jar (spotrunner-webhook.jar), uploaded as the function's code."
  type        = string
}

variable "lambda" {
  description = "What every function shares (runtime, architecture, VPC placement, LOG_LEVEL): modules/function's `lambda` input, built once by the root module."
  type        = any
}

variable "lambda_snapstart" {
  description = "Publish versions with SnapStart and route API Gateway to the `live` alias."
  type        = bool
  default     = true
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
  default     = 512
}

variable "timeout_seconds" {
  description = "Timeout of the function in seconds (API Gateway gives up after 30)."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 30
    error_message = "timeout_seconds must be 1-30 seconds: API Gateway waits at most 30 seconds."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's and the API's CloudWatch log groups in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key encrypting the SSM parameters and log groups; null uses AWS managed keys."
  type        = string
  default     = null
}

variable "webhook_secret_parameter_names" {
  description = "SSM SecureString names holding the webhook secret: the current one first, then previous ones during rotation."
  type        = list(string)

  validation {
    condition     = length(var.webhook_secret_parameter_names) > 0
    error_message = "At least one webhook secret parameter is needed."
  }
}

variable "pools" {
  description = "Pools the webhook routes to, as the POOLS JSON expects them: name, labels, match, priority, queue URL and ARN, delay in seconds, default."
  type = list(object({
    name          = string
    labels        = list(string)
    match         = string
    priority      = number
    queue_url     = string
    queue_arn     = string
    delay_seconds = number
    default       = bool
  }))
}

variable "pools_in_ssm" {
  description = "Store the pools JSON in an SSM parameter (POOLS_PARAM) instead of the environment (POOLS), for configurations beyond Lambda's 4 KB environment limit."
  type        = bool
  default     = false
}

variable "repository_allow_list" {
  description = "Repositories whose jobs are accepted, as owner/repo or owner/*; empty accepts all."
  type        = list(string)
  default     = []
}

variable "allow_public_repositories" {
  description = "Accept jobs from public repositories (anyone can run code on your runners through a pull request)."
  type        = bool
  default     = false
}

variable "max_body_bytes" {
  description = "Largest webhook body in bytes; larger ones are answered 413."
  type        = number
  default     = 1048576
}

variable "check_run_legacy" {
  description = "Route check_run created events to the default pool (legacy mode for apps without workflow_job)."
  type        = bool
  default     = false
}

variable "throttling_burst_limit" {
  description = "Requests the HTTP API stage accepts at once above the steady rate; beyond it API Gateway answers 429, GitHub records the delivery as failed and the redelivery sweeper sends it again."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit == floor(var.throttling_burst_limit)
    error_message = "throttling_burst_limit must be a whole number of at least 1."
  }
}

variable "throttling_rate_limit" {
  description = "Steady requests per second the HTTP API stage accepts; above it API Gateway answers 429 (swept and redelivered later)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the webhook function; -1 leaves it unreserved. Invocations beyond it are throttled and answered with an error, which GitHub records as failed and the sweeper redelivers."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency == -1 || var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be -1 (unreserved) or at least 1 (0 would refuse every delivery)."
  }
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
