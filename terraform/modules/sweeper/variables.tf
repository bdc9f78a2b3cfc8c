variable "prefix" {
  description = "Name prefix of every resource and the ENVIRONMENT of the Lambda (letters, digits and dashes)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "lambda" {
  description = "What every function shares (runtime, architecture, VPC placement, LOG_LEVEL): modules/function's `lambda` input, built once by the root module. With a VPC the function needs a route to GitHub."
  type        = any
}

variable "lambda_zip" {
  description = "Path of the runners jar (spotrunner-runners.jar), which holds the sweeper's handler."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
  default     = 512
}

variable "timeout_seconds" {
  description = "Timeout of the function in seconds; keep it below the schedule's interval so runs never overlap."
  type        = number
  default     = 120
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key of the log group and the App's SecureString parameters; null uses the default encryption."
  type        = string
  default     = null
}

variable "github_api_url" {
  description = "GitHub REST base URL: https://api.github.com or https://HOST/api/v3 for GitHub Enterprise Server."
  type        = string
  default     = "https://api.github.com"
}

variable "github_web_url" {
  description = "GitHub web URL belonging to github_api_url (https://github.com, https://HOST, https://SUBDOMAIN.ghe.com)."
  type        = string
  default     = "https://github.com"
}

variable "github_apps" {
  description = "SSM parameter names of every GitHub App's id and private key (SecureString), the first App first: each App's own webhook delivery log is swept, through that App."
  type = list(object({
    id_parameter  = string
    key_parameter = string
  }))

  validation {
    condition     = length(var.github_apps) > 0
    error_message = "github_apps needs at least one App."
  }
}

variable "schedule_expression" {
  description = "EventBridge schedule of the sweeper: how soon after a failed delivery its job is recovered."
  type        = string
  default     = "rate(5 minutes)"
}

variable "lookback_minutes" {
  description = "How far back each run lists deliveries, in minutes (5-4320; GitHub keeps them 3 days). Longer than the schedule interval, so a missed run is caught up."
  type        = number
  default     = 60

  validation {
    condition     = var.lookback_minutes >= 5 && var.lookback_minutes <= 4320 && var.lookback_minutes == floor(var.lookback_minutes)
    error_message = "lookback_minutes must be a whole number from 5 to 4320."
  }
}

variable "max_points_per_run" {
  description = "GitHub secondary-limit points one run may spend (6-900): 1 per page of 100 deliveries, 5 per redelivery. What does not fit waits for the next run."
  type        = number
  default     = 200

  validation {
    condition     = var.max_points_per_run >= 6 && var.max_points_per_run <= 900 && var.max_points_per_run == floor(var.max_points_per_run)
    error_message = "max_points_per_run must be a whole number from 6 (one page and one redelivery) to 900 (GitHub's points per minute)."
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
