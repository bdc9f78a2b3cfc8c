# ---------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------

variable "prefix" {
  description = "Name prefix of every resource and the deployment's ENVIRONMENT (tag spotrunner:environment on every instance)."
  type        = string
  default     = "spotrunner"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.prefix))
    error_message = "prefix must be 1-20 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource, runner instances and volumes included."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC the runner instances run in."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets the runner instances launch in; several zones widen the spot capacity pools."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids needs at least one subnet."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the SSM parameters, queues, log groups, bucket and root volumes; null uses AWS managed keys."
  type        = string
  default     = null
}

variable "log_level" {
  description = "LOG_LEVEL of every Lambda: DEBUG, INFO, WARN or ERROR (the levels of common/log/Log.java)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARN or ERROR: the functions log at no other level."
  }
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ---------------------------------------------------------------------------------------------
# Lambdas
# ---------------------------------------------------------------------------------------------

variable "webhook_lambda_zip" {
  description = "Path of spotrunner-webhook.jar (built by ./mvnw package, or from the download-lambda module)."
  type        = string
}

variable "runners_lambda_zip" {
  description = "Path of spotrunner-runners.jar, the code of scale-up and scale-down."
  type        = string
}

variable "binary_syncer_lambda_zip" {
  description = "Path of spotrunner-binary-syncer.jar."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of every function: java21, or java25 (needs an AWS provider release that knows it; 5.100 does not)."
  type        = string
  default     = "java21"

  validation {
    condition     = contains(["java21", "java25"], var.lambda_runtime)
    error_message = "lambda_runtime must be java21 or java25."
  }
}

variable "lambda_architecture" {
  description = "CPU architecture of every function: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_snapstart" {
  description = "SnapStart on published versions behind a `live` alias for the webhook and scale-up functions."
  type        = bool
  default     = true
}

variable "lambda_vpc" {
  description = "Optional VPC placement of every Lambda (they then need a NAT or VPC endpoints to reach GitHub and AWS)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "lambda_settings" {
  description = "Memory in MB and timeout in seconds per function."
  type = object({
    webhook_memory_mb          = optional(number, 512)
    webhook_timeout_seconds    = optional(number, 10)
    scale_up_memory_mb         = optional(number, 512)
    scale_up_timeout_seconds   = optional(number, 120)
    scale_down_memory_mb       = optional(number, 512)
    scale_down_timeout_seconds = optional(number, 60)
    syncer_memory_mb           = optional(number, 512)
    syncer_timeout_seconds     = optional(number, 900)
  })
  default = {}

  validation {
    condition     = var.lambda_settings.webhook_timeout_seconds <= 30
    error_message = "webhook_timeout_seconds must be at most 30: API Gateway waits no longer."
  }
  validation {
    condition     = 6 * var.lambda_settings.scale_up_timeout_seconds <= 43200
    error_message = "scale_up_timeout_seconds must be at most 7200: the queue's visibility timeout is six times it, at most 12 hours."
  }
}

# ---------------------------------------------------------------------------------------------
# GitHub App and GitHub
# ---------------------------------------------------------------------------------------------

variable "github_app" {
  description = "GitHub App id, private key (PEM or base64 PEM) and webhook secret, stored by this module as SSM SecureString parameters; leave a field null to reference an existing parameter through github_app_parameters."
  type = object({
    id             = optional(string)
    key            = optional(string)
    webhook_secret = optional(string)
  })
  default   = {}
  sensitive = true

  validation {
    # nonsensitive: the rule reads only the length, never the value
    condition     = nonsensitive(try(length(var.github_app.webhook_secret), 32) >= 32)
    error_message = "github_app.webhook_secret must be at least 32 characters (e.g. openssl rand -hex 32): it is the only check on who may send jobs."
  }
}

variable "github_app_parameters" {
  description = "Names of existing SSM parameters holding the GitHub App id, key and webhook secret (current first, then previous ones during rotation); used for each value github_app leaves null."
  type = object({
    id              = optional(string)
    key             = optional(string)
    webhook_secrets = optional(list(string), [])
  })
  default = {}
}

variable "github_enterprise_server_url" {
  description = "Web URL of a GitHub Enterprise Server, e.g. https://github.example.com; null for github.com."
  type        = string
  default     = null

  validation {
    condition     = var.github_enterprise_server_url == null || can(regex("^https://[^/]+$", var.github_enterprise_server_url))
    error_message = "github_enterprise_server_url must be https://HOST without a path or trailing slash."
  }
}

# ---------------------------------------------------------------------------------------------
# Several GitHub Apps; GitHub Enterprise Cloud with data residency (docs/github-app.md)
# ---------------------------------------------------------------------------------------------

variable "github_apps" {
  description = "More GitHub Apps installed on the same accounts, after the one of github_app/github_app_parameters: SSM parameter names of each App's id, private key and (if its webhook points here) webhook secret. Scale-up, scale-down and the interruption function spread calls over the Apps' installations and fall back to another App when one is rate limited or its key refused; the redelivery sweeper sweeps each App's webhook deliveries."
  type = list(object({
    id_parameter             = string
    key_parameter            = string
    webhook_secret_parameter = optional(string)
  }))
  default = []

  validation {
    condition = alltrue([for app in var.github_apps : alltrue([
      for name in compact([app.id_parameter, app.key_parameter, app.webhook_secret_parameter]) :
      can(regex("^[a-zA-Z0-9_.\\-/]+$", name))
    ])])
    error_message = "github_apps parameter names may hold only letters, digits and _.-/ (no commas)."
  }
}

variable "github_api_url" {
  description = "GitHub REST API URL: https://api.github.com, https://api.SUBDOMAIN.ghe.com (GitHub Enterprise Cloud with data residency) or https://HOST/api/v3 (GitHub Enterprise Server); null derives it from github_enterprise_server_url, else github.com."
  type        = string
  default     = null

  validation {
    condition     = var.github_api_url == null || can(regex("^(https://api\\.github\\.com|https://api\\.[a-z0-9][a-z0-9-]*\\.ghe\\.com|https://[^/]+/api/v3)$", var.github_api_url))
    error_message = "github_api_url must be https://api.github.com, https://api.SUBDOMAIN.ghe.com or https://HOST/api/v3, without a trailing slash."
  }
}

variable "github_web_url" {
  description = "GitHub web URL runners register against (https://github.com, https://SUBDOMAIN.ghe.com, https://HOST); null derives it from github_api_url, and when given it must be that URL's."
  type        = string
  default     = null

  validation {
    condition     = var.github_web_url == null || can(regex("^https://[^/]+$", var.github_web_url))
    error_message = "github_web_url must be https://HOST without a path or trailing slash."
  }
}

# ---------------------------------------------------------------------------------------------
# GitHub's secondary rate limit, split between the functions (docs/github-app.md)
# ---------------------------------------------------------------------------------------------

variable "github_points_per_minute_limit" {
  description = "GitHub's secondary rate limit per installation and minute, in points (a GET costs 1, a POST 5): 900 on github.com and ghe.com; GitHub Enterprise Server admins can configure their own (5-60000). Terraform splits it (less the interruption function's set-aside) between every scale-up and scale-down container."
  type        = number
  default     = 900

  # the upper bound is GitHubAppSettings.MAX_POINTS_PER_MINUTE: every share Terraform computes is one Java accepts
  validation {
    condition     = var.github_points_per_minute_limit >= 5 && var.github_points_per_minute_limit <= 60000 && var.github_points_per_minute_limit == floor(var.github_points_per_minute_limit)
    error_message = "github_points_per_minute_limit must be a whole number from 5 (one JIT runner's POST) to 60000."
  }
}

# ---------------------------------------------------------------------------------------------
# Webhook
# ---------------------------------------------------------------------------------------------

variable "repository_allow_list" {
  description = "Repositories whose jobs are accepted, as owner/repo or owner/*; empty accepts every repository the App is installed on."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.repository_allow_list : can(regex("^[A-Za-z0-9_.-]+/([A-Za-z0-9_.-]+|\\*)$", r))])
    error_message = "repository_allow_list entries must be owner/repo or owner/*."
  }
}

variable "allow_public_repositories" {
  description = "Accept jobs from public repositories (anyone can then run code on your runners through a pull request)."
  type        = bool
  default     = false
}

variable "check_run_legacy" {
  description = "Also route check_run created events to the pool marked default (legacy mode; the App then needs checks: read)."
  type        = bool
  default     = false
}

variable "webhook_max_body_bytes" {
  description = "Largest webhook body the function accepts, in bytes; larger ones are answered 413."
  type        = number
  default     = 1048576
}

variable "webhook_pools_in_ssm" {
  description = "Hand the pools to the webhook through an SSM parameter instead of its environment (for many pools: Lambda environments hold 4 KB); the parameter is Advanced tier above 4,096 characters, refused above 8 KB."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------
# Runners
# ---------------------------------------------------------------------------------------------

variable "pools" {
  description = <<-EOT
    Runner pools, each with its own queue, scale-up and scale-down functions and launch template:
    name; labels (the job's runs-on labels the pool serves); extra_labels (registered too, not matched);
    match (subset: every job label is a pool label, exact: the same set); priority (0-999, the lowest number wins when
    several pools match; ties go to the pool listed first); default (check_run legacy mode target); instance_types; architecture (x64 or arm64);
    os (amazon-linux-2023, ubuntu or windows: Windows Server 2022, x64); ami_id or ami_ssm_parameter (default: the OS's latest public AMI);
    max_count (pending + running instances); capacity_type (spot or on-demand); spot_allocation_strategy;
    spot_max_price (USD per hour, null = on-demand price); on_demand_failover; ephemeral; use_jit_config;
    delay_seconds (queue delay, 0-900); runner_level (org or repo); runner_group; job_queued_check;
    job_recheck_seconds (scale-up looks at a launched job again after this long and launches again if it
    still waits, again and again while GitHub says it waits; 0-900, 0 = off; one GitHub GET per recheck);
    job_recheck_max_age_minutes (rechecks stop once the job is this old; 1-1440, default 360);
    warm_windows (list of {cron, time_zone, idle, owner}: idle runners kept during the window, registered with owner, org or org/repo); warm_eviction
    (oldest or newest); root_volume_size_gb; root_volume_type; metadata_hop_limit (2 lets containers reach
    IMDS); pre_install_script and post_install_script (run before and after the runner install: bash as root on
    Linux, PowerShell as LocalSystem on Windows);
    enable_ssm_session (Session Manager access); scale_up_batch_size (1-10); scale_up_reserved_concurrency
    (-1 = unreserved, else at least scale_up_max_concurrency); dlq_max_receive_count;
    job_check_first_receive (ask GitHub whether the job still waits on its first receive too: 1 GET,
    so 6 points a JIT runner instead of 5; false launches for jobs cancelled during the queue delay);
    queue_backoff_base_seconds and queue_backoff_max_seconds (a job refused at max_count comes back
    after base, doubled per wait up to max, seconds; 1-900, defaults 10 and 40); scale_up_max_concurrency
    (scale-up invocations the queue runs at once, 2-1000; the launch lock keeps max_count under any);
    redrive_max_messages (dead letters scale-down re-checks with GitHub each cycle, 0 = no redrive).
    Boot and runner process control (docs/images.md): boot (install: user_data installs packages and the runner
    on every boot; prebuilt: the image holds them, built from images/); user_data_template (path of a custom
    user_data template); user_data_enabled (false: no user_data at all); hooks ({job_started, job_completed}:
    job hook scripts); run_as (runner user, Linux); work_dir (job work directory); disable_update (registration
    mode: --disableupdate); git_for_windows ({url, sha256}: the Git for Windows 64-bit installer that Windows
    install pools install at every boot, required there); boot_grace_minutes (minutes an instance may run without
    an online runner before scale-down terminates it as an orphan; null: boot_grace_minutes, at least 20 on
    Windows, whose stock-AMI boots take 15 minutes and more).
  EOT
  type = list(object({
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
    job_check_first_receive     = optional(bool, true)
    queue_backoff_base_seconds  = optional(number, 10)
    queue_backoff_max_seconds   = optional(number, 40)
    scale_up_max_concurrency    = optional(number, 2)
    redrive_max_messages        = optional(number, 20)
    job_recheck_max_age_minutes = optional(number, 360)
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
    git_for_windows = optional(object({
      url    = string
      sha256 = string
    }))
    boot_grace_minutes = optional(number)
  }))

  validation {
    condition     = length(var.pools) > 0 && length(distinct([for p in var.pools : p.name])) == length(var.pools)
    error_message = "pools needs at least one pool, and pool names must be unique."
  }
  validation {
    condition     = alltrue([for p in var.pools : can(regex("^[a-z][a-z0-9-]{0,19}$", p.name))])
    error_message = "Pool names must be 1-20 lower-case letters, digits or dashes, starting with a letter."
  }
  validation {
    condition     = alltrue([for p in var.pools : length(p.labels) > 0 && alltrue([for l in concat(p.labels, p.extra_labels) : can(regex("^[^,\\s]+$", l))])])
    error_message = "Every pool needs at least one label; labels may not contain commas or spaces."
  }
  validation {
    condition     = alltrue([for p in var.pools : contains(["subset", "exact"], p.match)])
    error_message = "match must be subset or exact."
  }
  validation {
    condition     = alltrue([for p in var.pools : contains(["x64", "arm64"], p.architecture) && contains(["amazon-linux-2023", "ubuntu", "windows"], p.os) && !(p.os == "windows" && p.architecture != "x64")])
    error_message = "architecture must be x64 or arm64; os must be amazon-linux-2023, ubuntu or windows (x64 only)."
  }
  validation {
    condition     = alltrue([for p in var.pools : contains(["install", "prebuilt"], p.boot) && can(regex("^[a-z_][a-z0-9_-]{0,31}$", p.run_as)) && (p.work_dir == "" || can(regex("^(/|[A-Za-z]:\\\\)[-A-Za-z0-9_./\\\\]*$", p.work_dir)))])
    error_message = "boot must be install or prebuilt; run_as must be a Linux user name; work_dir must be empty or an absolute path of letters, digits, dots, dashes and underscores."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.boot_grace_minutes == null || try(p.boot_grace_minutes >= 1 && p.boot_grace_minutes <= 1440, false)])
    error_message = "A pool's boot_grace_minutes must be 1-1440 (null: the boot_grace_minutes variable, at least 20 on Windows)."
  }
  validation {
    condition     = alltrue([for p in var.pools : !(p.ami_id != null && p.ami_ssm_parameter != null)])
    error_message = "Give a pool either ami_id or ami_ssm_parameter, not both."
  }
  validation {
    condition     = alltrue([for p in var.pools : contains(["spot", "on-demand"], p.capacity_type) && contains(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price", "diversified"], p.spot_allocation_strategy)])
    error_message = "capacity_type must be spot or on-demand; spot_allocation_strategy must be an EC2 Fleet spot allocation strategy."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.max_count >= 0 && p.max_count <= 10000 && length(p.instance_types) > 0])
    error_message = "max_count must be 0-10000 and every pool needs at least one instance type."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.delay_seconds >= 0 && p.delay_seconds <= 900])
    error_message = "delay_seconds must be 0-900 (the SQS limit)."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.job_recheck_seconds >= 0 && p.job_recheck_seconds <= 900])
    error_message = "job_recheck_seconds must be 0-900 (the SQS delay limit); 0 switches rechecks off."
  }
  validation {
    condition     = alltrue([for p in var.pools : contains(["org", "repo"], p.runner_level) && contains(["oldest", "newest"], p.warm_eviction)])
    error_message = "runner_level must be org or repo; warm_eviction must be oldest or newest."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.ephemeral || !p.use_jit_config])
    error_message = "use_jit_config needs ephemeral = true: JIT runners take one job."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.root_volume_size_gb >= 8 && p.metadata_hop_limit >= 1 && p.metadata_hop_limit <= 64])
    error_message = "root_volume_size_gb must be at least 8 and metadata_hop_limit 1-64."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.scale_up_batch_size >= 1 && p.scale_up_batch_size <= 10 && p.dlq_max_receive_count >= 1])
    error_message = "scale_up_batch_size must be 1-10 (the SQS maximum without a batching window) and dlq_max_receive_count at least 1."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.queue_backoff_base_seconds >= 1 && p.queue_backoff_max_seconds >= p.queue_backoff_base_seconds && p.queue_backoff_max_seconds <= 900])
    error_message = "queue_backoff_base_seconds must be at least 1 and queue_backoff_max_seconds between it and 900 (the SQS delay limit)."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.scale_up_max_concurrency >= 2 && p.scale_up_max_concurrency <= 1000 && (p.scale_up_reserved_concurrency == -1 || p.scale_up_reserved_concurrency >= p.scale_up_max_concurrency)])
    error_message = "scale_up_max_concurrency must be 2-1000 (the SQS event source minimum is 2), and scale_up_reserved_concurrency -1 or at least scale_up_max_concurrency (fewer throttles batches, which then wait out the visibility timeout)."
  }
  validation {
    condition     = alltrue([for p in var.pools : p.redrive_max_messages >= 0 && p.redrive_max_messages <= 1000])
    error_message = "redrive_max_messages must be 0-1000."
  }
  validation {
    condition     = length([for p in var.pools : p if p.default]) <= 1
    error_message = "At most one pool may be the default."
  }
}

variable "runner_name_prefix" {
  description = "Prefix of runner names (the instance id follows); empty means `<prefix>-`."
  type        = string
  default     = ""
}

variable "ssm_config_path" {
  description = "SSM path of the runner configs scale-up hands to instances (<path>/<pool>/<instance-id>); empty means /<prefix>/runners."
  type        = string
  default     = ""

  validation {
    condition     = var.ssm_config_path == "" || can(regex("^(/[A-Za-z0-9_.-]+)+$", var.ssm_config_path))
    error_message = "ssm_config_path must be an absolute SSM path such as /ci/runners, without a trailing slash."
  }
}

variable "scale_down_schedule_expression" {
  description = "EventBridge schedule of every pool's scale-down function."
  type        = string
  default     = "rate(5 minutes)"
}

variable "minimum_running_time_minutes" {
  description = "Instances younger than this many minutes are never scaled down."
  type        = number
  default     = 5

  validation {
    condition     = var.minimum_running_time_minutes >= 0
    error_message = "minimum_running_time_minutes must not be negative."
  }
}

variable "boot_grace_minutes" {
  description = "Minutes an instance may run without a registered GitHub runner before scale-down treats it as an orphan; a pool's boot_grace_minutes overrides it, and Windows pools get at least 20."
  type        = number
  default     = 5

  validation {
    condition     = var.boot_grace_minutes >= 1
    error_message = "boot_grace_minutes must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------
# Runner binaries
# ---------------------------------------------------------------------------------------------

variable "runner_bucket_require_tls" {
  description = "Deny requests to the runner cache bucket that do not use TLS; only an AWS emulator on plain HTTP needs false."
  type        = bool
  default     = true
}

variable "runner_bucket_noncurrent_days" {
  description = "Days a replaced runner tarball (a noncurrent object version) is kept in the runner cache bucket before a lifecycle rule expires it, with incomplete uploads aborted after a day; null: no lifecycle rule (examples/local, whose emulator makes the AWS provider wait a minute for the rule to settle)."
  type        = number
  default     = 7
  validation {
    condition     = var.runner_bucket_noncurrent_days == null || try(var.runner_bucket_noncurrent_days >= 1, false)
    error_message = "runner_bucket_noncurrent_days must be at least 1, or null for no lifecycle rule."
  }
}

variable "runner_release_api_url" {
  description = "GitHub REST base URL the binary syncer reads actions/runner releases from; GitHub Enterprise Server users keep github.com unless their server mirrors actions/runner."
  type        = string
  default     = "https://api.github.com"

  validation {
    condition     = can(regex("^https://[^/]+", var.runner_release_api_url))
    error_message = "runner_release_api_url must be an https URL such as https://api.github.com."
  }
}

variable "runner_version" {
  description = "actions/runner version the binary syncer keeps in S3: latest or a pinned version such as 2.330.0."
  type        = string
  default     = "latest"

  validation {
    condition     = var.runner_version == "latest" || can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.runner_version))
    error_message = "runner_version must be latest or a version such as 2.330.0."
  }
}

variable "binary_syncer_schedule_expression" {
  description = "EventBridge schedule of the binary syncer."
  type        = string
  default     = "rate(1 hour)"
}

variable "runner_bucket_name" {
  description = "Name of the runner cache bucket; null derives <prefix>-runner-cache-<region>-<account>."
  type        = string
  default     = null
}

# ---------------------------------------------------------------------------------------------
# Webhook throttling and redelivery sweeper (docs/sweeper.md)
# ---------------------------------------------------------------------------------------------

variable "webhook_throttling" {
  description = <<-EOT
    How much the webhook takes at once: burst_limit and rate_limit (requests at once, and per second)
    of the HTTP API stage, beyond which API Gateway answers 429; reserved_concurrency of the webhook
    function (-1 = unreserved), beyond which Lambda throttles and the delivery fails. GitHub records
    either as a failed delivery and the redelivery sweeper sends it again.
  EOT
  type = object({
    burst_limit          = optional(number, 200)
    rate_limit           = optional(number, 100)
    reserved_concurrency = optional(number, -1)
  })
  default = {}
}

variable "redelivery_sweeper" {
  description = <<-EOT
    The scheduled function that redelivers failed workflow_job deliveries once each (GitHub never does
    by itself): enabled; schedule_expression (EventBridge); lookback_minutes (how far back a run lists
    deliveries, 5-4320); max_points_per_run (GitHub secondary-limit points a run may spend: 1 per page of
    100 deliveries, 5 per redelivery; 6-900); memory_mb; timeout_seconds.
  EOT
  type = object({
    enabled             = optional(bool, true)
    schedule_expression = optional(string, "rate(5 minutes)")
    lookback_minutes    = optional(number, 60)
    max_points_per_run  = optional(number, 200)
    memory_mb           = optional(number, 512)
    timeout_seconds     = optional(number, 120)
  })
  default = {}
}

# ---------------------------------------------------------------------------------------------
# Runners: alarms on dead letters (docs/scale-up.md)
# ---------------------------------------------------------------------------------------------

variable "runner_alarm_actions" {
  description = "ARNs (SNS topics) notified when a pool's DLQ holds a message or scale-up dead-letters a job; empty: the alarms exist without actions."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------
# Spot interruptions (docs/interruptions.md)
# ---------------------------------------------------------------------------------------------

variable "spot_interruptions" {
  description = <<-EOT
    The function that acts on EC2 spot interruption warnings (idle runners deregistered at once, busy ones
    recorded), removes the runners of terminated instances, re-runs interrupted jobs and keeps each pool's
    spot circuit breaker: enabled; rebalance_recommendations (also retire idle runners on a rebalance
    recommendation); schedule_expression (follow-up of re-runs and breakers); max_points_per_run (GitHub points
    per invocation, 6-900); rerun_watch_hours (1-72); memory_mb; timeout_seconds; pools (by pool name, all
    optional: rerun, default = the pool's ephemeral; max_reruns per job, 2; breaker_threshold, 3
    (opens at more than this many interruptions of an instance type or subnet, 0 = off);
    breaker_window_minutes, 15; breaker_cooldown_minutes, 30).
  EOT
  type = object({
    enabled                   = optional(bool, true)
    rebalance_recommendations = optional(bool, false)
    schedule_expression       = optional(string, "rate(1 minute)")
    max_points_per_run        = optional(number, 100)
    rerun_watch_hours         = optional(number, 6)
    memory_mb                 = optional(number, 512)
    timeout_seconds           = optional(number, 60)
    pools = optional(map(object({
      rerun                    = optional(bool)
      max_reruns               = optional(number, 2)
      breaker_threshold        = optional(number, 3)
      breaker_window_minutes   = optional(number, 15)
      breaker_cooldown_minutes = optional(number, 30)
    })), {})
  })
  default = {}

  validation {
    condition = alltrue([for p in values(var.spot_interruptions.pools) : p.max_reruns >= 0 && p.breaker_threshold >= 0
    && p.breaker_window_minutes >= 1 && p.breaker_cooldown_minutes >= 1])
    error_message = "spot_interruptions.pools: max_reruns and breaker_threshold must be 0 or more, the window and cool-down at least 1 minute."
  }
  validation {
    condition     = var.spot_interruptions.max_points_per_run >= 6 && var.spot_interruptions.max_points_per_run <= 900 && var.spot_interruptions.rerun_watch_hours >= 1 && var.spot_interruptions.rerun_watch_hours <= 72
    error_message = "spot_interruptions: max_points_per_run must be 6-900 and rerun_watch_hours 1-72."
  }
}

# ---------------------------------------------------------------------------------------------
# Dashboard and alarms (docs/metrics.md)
# ---------------------------------------------------------------------------------------------

variable "dashboard" {
  description = "The CloudWatch dashboard: whether to create it and the period of its graphs in seconds (a multiple of 60)."
  type = object({
    enabled        = optional(bool, true)
    period_seconds = optional(number, 300)
  })
  default = {}

  validation {
    condition     = var.dashboard.period_seconds >= 60 && var.dashboard.period_seconds % 60 == 0
    error_message = "dashboard.period_seconds must be a multiple of 60."
  }
}

variable "alarms" {
  description = "Alarms (oldest waiting job, launch failures, scale-up errors, webhook 5xx, GitHub budget; each pool's DLQ alarms notify the same topic): whether to create them, the SNS topic to notify (null: one is created), the age in seconds of the oldest waiting job message that alarms, the period in seconds each alarm evaluates, and the percentage of an installation's 900 GitHub points a minute that alarms (GitHub budget alarm)."
  type = object({
    enabled                = optional(bool, true)
    sns_topic_arn          = optional(string)
    oldest_job_age_seconds = optional(number, 900)
    period_seconds         = optional(number, 300)
    github_budget_percent  = optional(number, 80)
  })
  default = {}
}

# --- security: IAM path and boundary, runner hardening (docs/security.md) -----------------------

variable "iam" {
  description = "Path and optional permissions boundary (policy ARN) for every IAM role and instance profile the module creates."
  type = object({
    role_path            = optional(string, "/")
    permissions_boundary = optional(string)
  })
  default = {}

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.iam.role_path))
    error_message = "iam.role_path must start and end with / (e.g. /spotrunner/)."
  }
}

variable "runner_security" {
  description = "Runner instance hardening for every pool: extra managed policies for the runner role (never one that reads SSM parameters broadly), extra security groups, egress rules (default: all outbound), and public IP association (null keeps the subnet's setting)."
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

  validation {
    condition     = alltrue([for arn in var.runner_security.managed_policy_arns : !endswith(arn, ":policy/AmazonSSMManagedInstanceCore")])
    error_message = "AmazonSSMManagedInstanceCore allows ssm:GetParameter* on every parameter (the GitHub App key included); pools[*].enable_ssm_session gives Session Manager without it."
  }
}
