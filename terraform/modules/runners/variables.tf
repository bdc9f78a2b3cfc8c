variable "prefix" {
  description = "Name prefix of every resource and the ENVIRONMENT of the Lambdas (letters, digits and dashes)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource, runner instances included."
  type        = map(string)
  default     = {}
}

variable "pool" {
  description = "The runner pool this module serves, as the root module's `pools` variable types, defaults and validates it (one element, every field present). Typed `any` so that the type and its defaults are declared once, in the root; use this module through the root module."
  type        = any
}

variable "vpc_id" {
  description = "VPC of the runner instances' security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets runner instances launch in (CreateFleet overrides, one per subnet and instance type)."
  type        = list(string)
}

variable "lambda" {
  description = "What every function shares (runtime, architecture, VPC placement, LOG_LEVEL): modules/function's `lambda` input, built once by the root module."
  type        = any
}

variable "lambda_zip" {
  description = "Path of the runners jar (spotrunner-runners.jar), the code of scale-up and scale-down."
  type        = string
}

variable "lambda_snapstart" {
  description = "Publish scale-up versions with SnapStart and attach the queue to the `live` alias."
  type        = bool
  default     = true
}

variable "scale_up_memory_mb" {
  description = "Memory of the scale-up function in MB."
  type        = number
  default     = 512
}

variable "scale_up_timeout_seconds" {
  description = "Timeout of the scale-up function in seconds (above the GitHub request governor's 60 s wait); the queue's visibility timeout is six times this."
  type        = number
  default     = 120
}

variable "scale_down_memory_mb" {
  description = "Memory of the scale-down function in MB."
  type        = number
  default     = 512
}

variable "scale_down_timeout_seconds" {
  description = "Timeout of the scale-down function in seconds."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  description = "Retention of the functions' and instances' CloudWatch log groups in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key for queues, log groups, runner configs and root volumes; null uses AWS managed keys."
  type        = string
  default     = null
}

variable "github_api_url" {
  description = "GitHub REST base URL (GitHub Enterprise Server: https://HOST/api/v3)."
  type        = string
  default     = "https://api.github.com"
}

variable "github_apps" {
  description = "SSM parameter names of every GitHub App's id and private key (SecureString), the first App first: scale-up and scale-down spread calls over their installations."
  type = list(object({
    id_parameter  = string
    key_parameter = string
  }))

  validation {
    condition     = length(var.github_apps) > 0
    error_message = "github_apps needs at least one App."
  }
}

variable "github_web_url" {
  description = "GitHub web URL runners register against: https://github.com, https://HOST (GHES) or https://SUBDOMAIN.ghe.com."
  type        = string
  default     = "https://github.com"
}

variable "github_points_per_minute" {
  description = "This pool's scale-up and scale-down containers' share each of every installation's 900 points a minute (the root module computes it)."
  type        = number
  default     = 900
}

variable "runner_name_prefix" {
  description = "Prefix of runner names (the instance id follows); empty means `<prefix>-`."
  type        = string
  default     = ""
}

variable "ssm_config_path" {
  description = "SSM path under which scale-up stores runner configs as <path>/<pool>/<instance-id>; empty means /<prefix>/runners."
  type        = string
  default     = ""
}

variable "runner_bucket_name" {
  description = "S3 bucket of the runner tarball cache (the binary syncer's bucket)."
  type        = string
}

variable "runner_key_prefix" {
  description = "Object key prefix of the runner tarballs in the bucket."
  type        = string
  default     = "actions-runner/"
}

variable "scale_down_schedule_expression" {
  description = "EventBridge schedule of the scale-down function, e.g. rate(5 minutes)."
  type        = string
  default     = "rate(5 minutes)"
}

variable "minimum_running_time_minutes" {
  description = "Instances younger than this many minutes are never scaled down."
  type        = number
  default     = 5
}

variable "boot_grace_minutes" {
  description = "Minutes an instance may run without a registered GitHub runner before it counts as an orphan, unless the pool sets boot_grace_minutes; Windows pools get at least 20."
  type        = number
  default     = 5
}

variable "alarm_actions" {
  description = "ARNs notified by the DLQ-depth and dead-lettered-jobs alarms (empty: no actions)."
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

variable "runner_security" {
  description = "Runner instance hardening as the root module's `runner_security` variable types and defaults it: extra managed policies for the runner role, extra security groups, egress rules, public IP association (null keeps the subnet's setting)."
  type        = any
}
