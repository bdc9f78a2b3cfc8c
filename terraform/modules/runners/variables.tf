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
  description = "The runner pool this module serves; the root module's `pools` variable describes each field."
  type = object({
    name                     = string
    labels                   = list(string)
    extra_labels             = optional(list(string), [])
    match                    = optional(string, "subset")
    priority                 = optional(number, 0)
    default                  = optional(bool, false)
    instance_types           = optional(list(string), ["m7a.large", "m6a.large", "m5a.large"])
    architecture             = optional(string, "x64")
    os                       = optional(string, "amazon-linux-2023")
    ami_id                   = optional(string)
    ami_ssm_parameter        = optional(string)
    max_count                = optional(number, 10)
    capacity_type            = optional(string, "spot")
    spot_allocation_strategy = optional(string, "price-capacity-optimized")
    spot_max_price           = optional(string)
    on_demand_failover       = optional(bool, true)
    ephemeral                = optional(bool, true)
    use_jit_config           = optional(bool, true)
    delay_seconds            = optional(number, 30)
    runner_level             = optional(string, "org")
    runner_group             = optional(string, "Default")
    job_queued_check         = optional(bool, true)
    job_recheck_seconds      = optional(number, 300)
    warm_windows = optional(list(object({
      cron      = string
      time_zone = optional(string, "UTC")
      idle      = number
      owner     = optional(string)
    })), [])
    warm_eviction                 = optional(string, "oldest")
    root_volume_size_gb           = optional(number, 30)
    root_volume_type              = optional(string, "gp3")
    metadata_hop_limit            = optional(number, 1)
    pre_install_script            = optional(string, "")
    post_install_script           = optional(string, "")
    enable_ssm_session            = optional(bool, false)
    scale_up_batch_size           = optional(number, 10)
    scale_up_reserved_concurrency = optional(number, 2)
    dlq_max_receive_count         = optional(number, 5)
    # the queue at the pool maximum, dead letters and one launcher (docs/scale-up.md)
    job_check_first_delivery   = optional(bool, true)
    queue_backoff_base_seconds = optional(number, 10)
    queue_backoff_max_seconds  = optional(number, 40)
    scale_up_max_concurrency   = optional(number, 2)
    redrive_max_messages       = optional(number, 20)
    # Boot path and runner process control (docs/images.md).
    boot               = optional(string, "install")
    user_data_template = optional(string)
    user_data_enabled  = optional(bool, true)
    hooks = optional(object({
      job_started   = optional(string, "")
      job_completed = optional(string, "")
    }), {})
    run_as         = optional(string, "runner")
    work_dir       = optional(string, "")
    disable_update = optional(bool, false)
    # rechecks go on while the job waits, until it is this old (docs/scale-up.md)
    job_recheck_max_age_minutes = optional(number, 360)
  })
}

variable "vpc_id" {
  description = "VPC of the runner instances' security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets runner instances launch in (CreateFleet overrides, one per subnet and instance type)."
  type        = list(string)
}

variable "lambda_zip" {
  description = "Path of the runners jar (spotrunner-runners.jar), the code of scale-up and scale-down."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime: java21 or java25."
  type        = string
  default     = "java21"
}

variable "lambda_architecture" {
  description = "CPU architecture of the functions: x86_64 or arm64."
  type        = string
  default     = "x86_64"
}

variable "lambda_vpc_config" {
  description = "Optional VPC placement of the functions: subnet ids and security group ids."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "scale_up_memory_size" {
  description = "Memory of the scale-up function in MB."
  type        = number
  default     = 512
}

variable "scale_up_timeout" {
  description = "Timeout of the scale-up function in seconds (above the GitHub request governor's 60 s wait); the queue's visibility timeout is six times this."
  type        = number
  default     = 120
}

variable "scale_down_memory_size" {
  description = "Memory of the scale-down function in MB."
  type        = number
  default     = 512
}

variable "scale_down_timeout" {
  description = "Timeout of the scale-down function in seconds."
  type        = number
  default     = 60
}

variable "snapstart" {
  description = "Publish scale-up versions with SnapStart and attach the queue to the `live` alias."
  type        = bool
  default     = true
}

variable "log_level" {
  description = "LOG_LEVEL of the functions."
  type        = string
  default     = "INFO"
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

variable "github_app_id_parameter_name" {
  description = "SSM parameter holding the GitHub App id; several Apps: their id parameters, comma-separated."
  type        = string
}

variable "github_app_key_parameter_name" {
  description = "SSM SecureString holding the GitHub App private key; several Apps: their key parameters, comma-separated, in the same order."
  type        = string
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
  description = "Minutes an instance may run without a registered GitHub runner before it counts as an orphan."
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
  description = "Runner instance hardening: extra managed policies for the runner role, extra security groups, egress rules, public IP association (null keeps the subnet's setting)."
  type = object({
    managed_policy_arns = optional(list(string), [])
    security_group_ids  = optional(list(string), [])
    egress = optional(list(object({
      description    = optional(string)
      ip_protocol    = optional(string, "-1")
      cidr_ipv4      = optional(string)
      cidr_ipv6      = optional(string)
      prefix_list_id = optional(string)
      from_port      = optional(number)
      to_port        = optional(number)
    })), [{ cidr_ipv4 = "0.0.0.0/0" }])
    associate_public_ip_address = optional(bool)
  })
  default = {}
}
