variable "endpoint" {
  description = "URL of the AWS emulator, e.g. http://127.0.0.1:5000 for moto_server."
  type        = string
  default     = "http://127.0.0.1:5000"
}

variable "aws_region" {
  description = "Region the emulator serves."
  type        = string
  default     = "us-east-1"
}

variable "prefix" {
  description = "Prefix of the local deployment."
  type        = string
  default     = "local"
}

variable "github_app_id" {
  description = "GitHub App id of the GitHub stand-in."
  type        = string
  default     = "12345"
}

variable "github_app_key_base64" {
  description = "Private key PEM (base64) of the stand-in's App, generated at test time."
  type        = string
  sensitive   = true
}

variable "webhook_secret" {
  description = "Webhook secret, generated at test time."
  type        = string
  sensitive   = true
}

variable "github_enterprise_server_url" {
  description = "Web URL of the GitHub stand-in, used as a GitHub Enterprise Server (API at <url>/api/v3); null for github.com."
  type        = string
  default     = null
}

variable "lambda_snapstart" {
  description = "SnapStart on webhook and scale-up (emulators accept but do not snapshot)."
  type        = bool
  default     = true
}

variable "lambda_dir" {
  description = "Directory holding the three Lambda jars; null uses the Maven build output of this repository."
  type        = string
  default     = null
}

variable "pools" {
  description = "Runner pools, passed to the module's pools input (a subset of its fields; an omitted field takes the module's default). Tests pass their own, e.g. job_recheck_seconds of a few seconds."
  type = list(object({
    name                = string
    labels              = list(string)
    priority            = optional(number)
    default             = optional(bool)
    architecture        = optional(string)
    instance_types      = optional(list(string))
    max_count           = optional(number)
    ami_id              = optional(string)
    ephemeral           = optional(bool)
    use_jit_config      = optional(bool)
    delay_seconds       = optional(number)
    job_recheck_seconds = optional(number)
    # Lambda and SQS limits of the pool (module defaults 10, 2, 2, 5).
    scale_up_batch_size           = optional(number)
    scale_up_reserved_concurrency = optional(number)
    scale_up_max_concurrency      = optional(number)
    dlq_max_receive_count         = optional(number)
    # Boot paths (terraform/test/boot-paths.tfvars sets these).
    os                  = optional(string)
    boot                = optional(string)
    user_data_enabled   = optional(bool)
    user_data_template  = optional(string)
    run_as              = optional(string)
    work_dir            = optional(string)
    disable_update      = optional(bool)
    pre_install_script  = optional(string)
    post_install_script = optional(string)
    enable_ssm_session  = optional(bool)
    hooks = optional(object({
      job_started   = optional(string)
      job_completed = optional(string)
    }))
    extra_labels = optional(list(string))
    git_for_windows = optional(object({
      url    = string
      sha256 = string
    }))
    boot_grace_minutes = optional(number)
  }))
  default = [
    {
      name           = "linux-x64"
      labels         = ["self-hosted", "linux", "x64"]
      priority       = 10
      default        = true
      instance_types = ["m5.large", "m5a.large"]
      max_count      = 3
      ami_id         = "ami-12c6146b"
      delay_seconds  = 0
      # Demo value (module default 300): a job whose runner another job took is launched for again
      # after this long; a minute keeps the demo of a saturated pool short.
      job_recheck_seconds = 60
    },
    {
      name           = "linux-arm64"
      labels         = ["self-hosted", "linux", "arm64"]
      priority       = 5
      architecture   = "arm64"
      instance_types = ["m6g.large"]
      max_count      = 2
      ami_id         = "ami-12c6146b"
      ephemeral      = false
      use_jit_config = false
      delay_seconds  = 0
      # Demo value (module default 300): a job whose runner another job took is launched for again
      # after this long; a minute keeps the demo of a saturated pool short.
      job_recheck_seconds = 60
    },
  ]
}

# ---------------------------------------------------------------------------------------------
# Demo values: shorter than the module's defaults so the local stack shows retries and scale-down
# within minutes. The local stack runs with what these give (it reads the deployed values back).
# ---------------------------------------------------------------------------------------------

variable "scale_up_timeout_seconds" {
  description = "Demo value (module default 120): scale-up's timeout; the job queue's visibility timeout is six times it, so a job scale-up returns is retried after 6 × this."
  type        = number
  default     = 10
}

variable "scale_down_schedule_expression" {
  description = "Demo value (module default rate(5 minutes)): how often each pool's scale-down runs; rate(1 minute) is EventBridge's shortest."
  type        = string
  default     = "rate(1 minute)"
}

# ---------------------------------------------------------------------------------------------
# Spot reclaims in the local stack (./spotrunner demo --reclaim N, ReclaimIT). Not deployed to AWS:
# the local stack reads it back from the output of the same name.
# ---------------------------------------------------------------------------------------------

variable "spot_interruption_notice_seconds" {
  description = "Demo value (AWS: 120): seconds between EC2's spot interruption warning and the termination when the local stack reclaims a busy machine; short so a reclaimed job and its re-run finish within a demo."
  type        = number
  default     = 20

  validation {
    condition     = var.spot_interruption_notice_seconds >= 1 && var.spot_interruption_notice_seconds <= 120
    error_message = "spot_interruption_notice_seconds must be between 1 and 120 (AWS gives 120)."
  }
}

variable "github_points_per_minute_limit" {
  description = "GitHub's secondary rate limit per installation and minute that the module splits between its functions (module default 900, github.com's); tests set the stand-in's budget to a lower value and pass the same here."
  type        = number
  default     = 900
}
