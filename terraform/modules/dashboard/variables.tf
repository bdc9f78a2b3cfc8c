variable "prefix" {
  description = "Name prefix of the dashboard, alarms and topic, and the ENVIRONMENT the functions put on their metrics."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "pools" {
  description = "Per pool name: its jobs queue and DLQ names and its scale-up and scale-down function names."
  type = map(object({
    queue_name               = string
    dlq_name                 = string
    scale_up_function_name   = string
    scale_down_function_name = string
  }))
}

variable "function_names" {
  description = "Other functions shown with errors, throttles and duration, by label (webhook, binary-syncer, sweeper, interruptions)."
  type        = map(string)
  default     = {}
}

variable "webhook_api_id" {
  description = "Id of the webhook's API Gateway HTTP API, for its 5xx and 4xx answers."
  type        = string
}

variable "dashboard_enabled" {
  description = "Whether to create the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "period_seconds" {
  description = "Period of the dashboard's graphs in seconds (60 or a multiple)."
  type        = number
  default     = 300
}

variable "alarms" {
  description = "Alarms: whether to create them, the SNS topic they notify (null: one is created), the age in seconds of the oldest waiting job message that alarms, the period in seconds each alarm evaluates, and the percentage of an installation's GitHub points a minute that alarms."
  type = object({
    enabled                = optional(bool, true)
    sns_topic_arn          = optional(string)
    oldest_job_age_seconds = optional(number, 900)
    period_seconds         = optional(number, 300)
    github_budget_percent  = optional(number, 80)
  })
  default = {}

  validation {
    condition     = var.alarms.oldest_job_age_seconds >= 60 && var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0
    error_message = "alarms.oldest_job_age_seconds must be at least 60 and alarms.period_seconds a multiple of 60."
  }

  validation {
    condition     = var.alarms.github_budget_percent > 0 && var.alarms.github_budget_percent <= 100
    error_message = "alarms.github_budget_percent must be above 0 and at most 100."
  }
}

variable "github_points_per_minute_limit" {
  description = "GitHub's limit of points a minute per installation (its secondary rate limit: 900 for REST), the whole budget the functions' containers share (the root's github_points_per_minute_limit), against which the GitHub budget alarm compares each installation's points."
  type        = number
  default     = 900
}

variable "existing_alarm_arns" {
  description = "ARNs of alarms made elsewhere (each pool's DLQ-not-empty and jobs-dead-lettered, from modules/runners) shown in the dashboard's alarm widget."
  type        = list(string)
  default     = []
}
