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
  description = "Path of the runners jar (spotrunner-runners.jar), which holds the interruption handler."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
  default     = 512
}

variable "timeout_seconds" {
  description = "Timeout of the function in seconds; a warning leaves two minutes."
  type        = number
  default     = 60
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

variable "github_apps" {
  description = "SSM parameter names of every GitHub App's id and private key (SecureString), the first App first: each GitHub call goes through the App with the most points left and falls back to another when one is limited or its key refused."
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
  description = "EventBridge schedule that follows up interrupted jobs (re-runs) and moves breakers to half-open and closed."
  type        = string
  default     = "rate(1 minute)"
}

variable "rebalance_recommendations" {
  description = "Also act on EC2 Instance Rebalance Recommendations: an idle runner at elevated risk is deregistered and its instance terminated."
  type        = bool
  default     = false
}

variable "max_points_per_run" {
  description = "GitHub secondary-limit points one invocation may spend on re-runs (a job check 1, a re-run 5; 6-900)."
  type        = number
  default     = 100

  validation {
    condition     = var.max_points_per_run >= 6 && var.max_points_per_run <= 900
    error_message = "max_points_per_run must be between 6 and 900."
  }
}

variable "github_points_per_minute" {
  description = "The function's share of every installation's secondary-limit points a minute, per App: the set-aside the root module takes out of github_points_per_minute_limit before splitting the rest between scale-up and scale-down (spot_interruptions.max_points_per_run). Its governor holds every GitHub call (warnings, terminations, re-runs) to it."
  type        = number
  default     = 100

  validation {
    condition     = var.github_points_per_minute >= 6 && var.github_points_per_minute == floor(var.github_points_per_minute)
    error_message = "github_points_per_minute must be a whole number of at least 6 (a job check and a re-run)."
  }
}

variable "rerun_watch_hours" {
  description = "How long an interrupted job is followed for a re-run, in hours (1-72)."
  type        = number
  default     = 6

  validation {
    condition     = var.rerun_watch_hours >= 1 && var.rerun_watch_hours <= 72
    error_message = "rerun_watch_hours must be between 1 and 72."
  }
}

variable "pools" {
  description = <<-EOT
    Per pool name: rerun (re-run jobs spot interrupted), max_reruns (per job), breaker_threshold
    (the breaker of an instance type or subnet opens at MORE than this many interruptions within
    breaker_window_minutes; 0 = off), breaker_cooldown_minutes (how long it stays open before probing).
  EOT
  type = map(object({
    rerun                    = bool
    max_reruns               = number
    breaker_threshold        = number
    breaker_window_minutes   = number
    breaker_cooldown_minutes = number
  }))

  validation {
    condition = alltrue([for p in values(var.pools) : p.max_reruns >= 0 && p.breaker_threshold >= 0
    && p.breaker_window_minutes >= 1 && p.breaker_cooldown_minutes >= 1])
    error_message = "max_reruns and breaker_threshold must be 0 or more, the window and cool-down at least 1 minute."
  }
}

variable "launcher_role_names" {
  description = "IAM roles of the scale-up and scale-down functions: they read their pool's breaker state."
  type        = list(string)
  default     = []
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
