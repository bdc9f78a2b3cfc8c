locals {
  github_api_url = var.github_api_url != null ? var.github_api_url : var.github_enterprise_server_url == null ? "https://api.github.com" : "${var.github_enterprise_server_url}/api/v3"

  # Each GitHub App value is either created here from an input or referenced by parameter name.
  create_app_id     = nonsensitive(var.github_app.id != null)
  create_app_key    = nonsensitive(var.github_app.key != null)
  create_app_secret = nonsensitive(var.github_app.webhook_secret != null)

  app_id_parameter_name  = local.create_app_id ? aws_ssm_parameter.app_id[0].name : var.github_app_parameters.id
  app_key_parameter_name = local.create_app_key ? aws_ssm_parameter.app_key[0].name : var.github_app_parameters.key
  webhook_secret_parameter_names = concat(
    local.create_app_secret ? [aws_ssm_parameter.webhook_secret[0].name] : [],
    var.github_app_parameters.webhook_secrets,
  )

  # Names only (not the values) of every App's id, key and webhook secret parameters, the first App
  # and each of var.github_apps: checked against ssm_config_path in settings_check.
  secret_parameter_names = nonsensitive(concat(
    [local.app_id_parameter_name, local.app_key_parameter_name], local.webhook_secret_parameter_names,
    flatten([for app in var.github_apps : compact([app.id_parameter, app.key_parameter, app.webhook_secret_parameter])]),
  ))
  # Paths the module writes outside the runner configs; a pool of these names under ssm_config_path = "/<prefix>"
  # would put them in its runners' reach.
  reserved_pool_names = ["github-app", "interruptions", "launch-locks"]
  secrets_under_config_path = [
    for name in local.secret_parameter_names : name if startswith("/${trimprefix(name, "/")}/", "${local.ssm_config_path}/")
  ]
  ssm_config_path = var.ssm_config_path != "" ? var.ssm_config_path : "/${var.prefix}/runners"

  # Each pool as var.pools types and defaults it: modules/runners takes it as it is (docs/terraform.md).
  pools     = { for pool in var.pools : pool.name => pool }
  platforms = distinct([for pool in var.pools : "${pool.os == "windows" ? "win" : "linux"}-${pool.architecture}"])

  # What every function shares, handed to each submodule and by them to modules/function.
  lambda = {
    runtime      = var.lambda_runtime
    architecture = var.lambda_architecture
    vpc          = var.lambda_vpc
    log_level    = var.log_level
  }
}

# Cross-variable rules, as preconditions: checked at plan time with every input known.
resource "terraform_data" "settings_check" {
  input = var.prefix

  lifecycle {
    precondition {
      condition     = local.create_app_id != (var.github_app_parameters.id != null)
      error_message = "Give the GitHub App id either as github_app.id or as github_app_parameters.id, exactly one of them."
    }
    precondition {
      condition     = local.create_app_key != (var.github_app_parameters.key != null)
      error_message = "Give the GitHub App private key either as github_app.key or as github_app_parameters.key, exactly one of them."
    }
    precondition {
      condition     = local.create_app_secret || length(var.github_app_parameters.webhook_secrets) > 0
      error_message = "Give the webhook secret as github_app.webhook_secret or name its parameter(s) in github_app_parameters.webhook_secrets."
    }
    # Runners read and scale-down deletes under <ssm_config_path>/<pool>/: no secret may live there.
    precondition {
      condition     = length(local.secrets_under_config_path) == 0
      error_message = "ssm_config_path (${local.ssm_config_path}) must not contain GitHub App parameters (${join(", ", local.secrets_under_config_path)} are under it): every runner could read them."
    }
    precondition {
      condition     = length(setintersection(keys(local.pools), local.reserved_pool_names)) == 0
      error_message = "Pool names ${join(", ", local.reserved_pool_names)} are reserved (the module's own SSM paths /${var.prefix}/<name>): rename pool ${join(", ", setintersection(keys(local.pools), local.reserved_pool_names))}."
    }
    precondition {
      condition = alltrue([
        for reserved in [for name in local.reserved_pool_names : "/${var.prefix}/${name}"] :
        !startswith("${reserved}/", "${local.ssm_config_path}/") && !startswith("${local.ssm_config_path}/", "${reserved}/")
      ])
      error_message = "ssm_config_path (${local.ssm_config_path}) must not overlap /${var.prefix}/github-app, /${var.prefix}/interruptions or /${var.prefix}/launch-locks."
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Several GitHub Apps, one budget per installation, GitHub Enterprise Cloud with data residency
# (docs/github-app.md). The App of github_app/github_app_parameters is the first of the list.
# ---------------------------------------------------------------------------------------------

locals {
  # the web URL of the API URL: github.com, SUBDOMAIN.ghe.com, or the GHES host
  github_derived_web_url = (
    local.github_api_url == "https://api.github.com" ? "https://github.com" :
    can(regex("^https://api\\.[a-z0-9][a-z0-9-]*\\.ghe\\.com$", local.github_api_url)) ? replace(local.github_api_url, "https://api.", "https://") :
    trimsuffix(local.github_api_url, "/api/v3")
  )
  github_web_url = coalesce(var.github_web_url, local.github_derived_web_url)

  # SSM parameter names of every App's id and key, the first App first
  github_apps = concat(
    [{ id_parameter = local.app_id_parameter_name, key_parameter = local.app_key_parameter_name }],
    [for app in var.github_apps : { id_parameter = app.id_parameter, key_parameter = app.key_parameter }],
  )
  github_webhook_secret_parameter_names = concat(local.webhook_secret_parameter_names,
  [for app in var.github_apps : app.webhook_secret_parameter if app.webhook_secret_parameter != null])

  # Every container that spends an installation's points: each pool's scale-up (as many as run at
  # once: the reserved concurrency, capped by the queue mapping's maximum concurrency; unreserved
  # means the mapping's maximum) and its scale-down. The interruption function's per-run cap is set
  # aside first. Each container gets an equal static share of the rest of GitHub's secondary limit
  # (var.github_points_per_minute_limit, 900 a minute per installation on github.com), so together
  # they never exceed it.
  github_budget_containers = sum([for pool in var.pools : (
    pool.scale_up_reserved_concurrency < 0 ? pool.scale_up_max_concurrency
    : min(pool.scale_up_reserved_concurrency, pool.scale_up_max_concurrency)
  ) + 1])
  github_points_set_aside  = var.spot_interruptions.enabled ? var.spot_interruptions.max_points_per_run : 0
  github_points_per_minute = floor((var.github_points_per_minute_limit - local.github_points_set_aside) / local.github_budget_containers)
}

resource "terraform_data" "github_apps_check" {
  input = var.prefix

  lifecycle {
    precondition {
      condition     = var.github_api_url == null || var.github_enterprise_server_url == null
      error_message = "Give GitHub's address either as github_api_url (with github_web_url) or as the older github_enterprise_server_url, not both."
    }
    precondition {
      condition     = var.github_web_url == null || var.github_web_url == local.github_derived_web_url
      error_message = "github_web_url must be the web URL of github_api_url: https://github.com for https://api.github.com, https://SUBDOMAIN.ghe.com for https://api.SUBDOMAIN.ghe.com, https://HOST for https://HOST/api/v3."
    }
    precondition {
      condition     = local.github_points_per_minute >= 5
      error_message = "Too many scale-up/scale-down containers share each installation's ${var.github_points_per_minute_limit} points a minute (each needs 5 for one JIT runner): lower scale_up_max_concurrency or scale_up_reserved_concurrency, or spot_interruptions.max_points_per_run."
    }
  }
}

# ---------------------------------------------------------------------------------------------
# GitHub App settings in SSM (SecureString; the Lambdas read them at start, never log them).
# ---------------------------------------------------------------------------------------------

resource "aws_ssm_parameter" "app_id" {
  count = local.create_app_id ? 1 : 0

  name        = "/${var.prefix}/github-app/id"
  description = "spotrunner ${var.prefix}: GitHub App id"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.github_app.id
  tags        = var.tags
}

resource "aws_ssm_parameter" "app_key" {
  count = local.create_app_key ? 1 : 0

  name        = "/${var.prefix}/github-app/key"
  description = "spotrunner ${var.prefix}: GitHub App private key"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.github_app.key
  tags        = var.tags
}

resource "aws_ssm_parameter" "webhook_secret" {
  count = local.create_app_secret ? 1 : 0

  name        = "/${var.prefix}/github-app/webhook-secret"
  description = "spotrunner ${var.prefix}: GitHub App webhook secret"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.github_app.webhook_secret
  tags        = var.tags
}

# ---------------------------------------------------------------------------------------------
# Runner cache and binary syncer
# ---------------------------------------------------------------------------------------------

module "binary_syncer" {
  source = "./modules/binary-syncer"

  # security (docs/security.md)
  iam = var.iam

  prefix                        = var.prefix
  tags                          = var.tags
  kms_key_arn                   = var.kms_key_arn
  log_retention_days            = var.log_retention_days
  lambda                        = local.lambda
  lambda_zip                    = var.binary_syncer_lambda_zip
  memory_mb                     = var.lambda_settings.syncer_memory_mb
  timeout_seconds               = var.lambda_settings.syncer_timeout_seconds
  schedule_expression           = var.binary_syncer_schedule_expression
  runner_bucket_name            = var.runner_bucket_name
  runner_bucket_require_tls     = var.runner_bucket_require_tls
  runner_bucket_noncurrent_days = var.runner_bucket_noncurrent_days
  runner_release_api_url        = var.runner_release_api_url
  runner_version                = var.runner_version
  platforms                     = local.platforms
}

# ---------------------------------------------------------------------------------------------
# One queue, scale-up, scale-down and launch template per pool
# ---------------------------------------------------------------------------------------------

module "runners" {
  source   = "./modules/runners"
  for_each = local.pools

  # security (docs/security.md)
  iam             = var.iam
  runner_security = var.runner_security

  prefix                         = var.prefix
  tags                           = var.tags
  kms_key_arn                    = var.kms_key_arn
  log_retention_days             = var.log_retention_days
  lambda                         = local.lambda
  lambda_zip                     = var.runners_lambda_zip
  lambda_snapstart               = var.lambda_snapstart
  scale_up_memory_mb             = var.lambda_settings.scale_up_memory_mb
  scale_up_timeout_seconds       = var.lambda_settings.scale_up_timeout_seconds
  scale_down_memory_mb           = var.lambda_settings.scale_down_memory_mb
  scale_down_timeout_seconds     = var.lambda_settings.scale_down_timeout_seconds
  scale_down_schedule_expression = var.scale_down_schedule_expression
  pool                           = each.value
  vpc_id                         = var.vpc_id
  subnet_ids                     = var.subnet_ids
  github_api_url                 = local.github_api_url
  github_web_url                 = local.github_web_url
  github_apps                    = local.github_apps
  github_points_per_minute       = local.github_points_per_minute
  runner_name_prefix             = var.runner_name_prefix
  ssm_config_path                = var.ssm_config_path
  runner_bucket_name             = module.binary_syncer.runner_bucket_name
  runner_key_prefix              = module.binary_syncer.runner_key_prefix
  minimum_running_time_minutes   = var.minimum_running_time_minutes
  boot_grace_minutes             = var.boot_grace_minutes
  alarm_actions                  = concat(var.runner_alarm_actions, module.dashboard.alarm_topic_arn == null ? [] : [module.dashboard.alarm_topic_arn])

  depends_on = [terraform_data.settings_check]
}

# ---------------------------------------------------------------------------------------------
# Webhook
# ---------------------------------------------------------------------------------------------

module "webhook" {
  source = "./modules/webhook"

  # security (docs/security.md)
  iam = var.iam

  prefix                         = var.prefix
  tags                           = var.tags
  kms_key_arn                    = var.kms_key_arn
  log_retention_days             = var.log_retention_days
  lambda                         = local.lambda
  lambda_zip                     = var.webhook_lambda_zip
  lambda_snapstart               = var.lambda_snapstart
  memory_mb                      = var.lambda_settings.webhook_memory_mb
  timeout_seconds                = var.lambda_settings.webhook_timeout_seconds
  reserved_concurrency           = var.webhook_throttling.reserved_concurrency
  throttling_burst_limit         = var.webhook_throttling.burst_limit
  throttling_rate_limit          = var.webhook_throttling.rate_limit
  webhook_secret_parameter_names = local.github_webhook_secret_parameter_names
  pools_in_ssm                   = var.webhook_pools_in_ssm
  repository_allow_list          = var.repository_allow_list
  allow_public_repositories      = var.allow_public_repositories
  max_body_bytes                 = var.webhook_max_body_bytes
  check_run_legacy               = var.check_run_legacy

  pools = [
    for pool in var.pools : {
      name          = pool.name
      labels        = pool.labels
      match         = pool.match
      priority      = pool.priority
      queue_url     = module.runners[pool.name].queue_url
      queue_arn     = module.runners[pool.name].queue_arn
      delay_seconds = pool.delay_seconds
      default       = pool.default
    }
  ]

  depends_on = [terraform_data.settings_check]
}

# ---------------------------------------------------------------------------------------------
# Redelivery sweeper: failed webhook deliveries (a 429 from the throttled API included) sent again
# ---------------------------------------------------------------------------------------------

module "sweeper" {
  source = "./modules/sweeper"
  count  = var.redelivery_sweeper.enabled ? 1 : 0

  # security (docs/security.md)
  iam = var.iam

  prefix              = var.prefix
  tags                = var.tags
  kms_key_arn         = var.kms_key_arn
  log_retention_days  = var.log_retention_days
  lambda              = local.lambda
  lambda_zip          = var.runners_lambda_zip
  memory_mb           = var.redelivery_sweeper.memory_mb
  timeout_seconds     = var.redelivery_sweeper.timeout_seconds
  schedule_expression = var.redelivery_sweeper.schedule_expression
  github_api_url      = local.github_api_url
  github_web_url      = local.github_web_url
  github_apps         = local.github_apps
  lookback_minutes    = var.redelivery_sweeper.lookback_minutes
  max_points_per_run  = var.redelivery_sweeper.max_points_per_run

  depends_on = [terraform_data.settings_check]
}

# ---------------------------------------------------------------------------------------------
# Spot interruptions: the two-minute warning acted on, ghosts removed at termination, interrupted
# jobs re-run, a spot circuit breaker per pool (docs/interruptions.md)
# ---------------------------------------------------------------------------------------------

locals {
  # re-runs are on by default for ephemeral pools: a persistent runner's job may have side effects
  # its next job depends on, and its operator decides
  interruption_pools = {
    for name, pool in local.pools : name => {
      rerun                    = try(var.spot_interruptions.pools[name].rerun, null) == null ? pool.ephemeral : var.spot_interruptions.pools[name].rerun
      max_reruns               = try(var.spot_interruptions.pools[name].max_reruns, 2)
      breaker_threshold        = try(var.spot_interruptions.pools[name].breaker_threshold, 3)
      breaker_window_minutes   = try(var.spot_interruptions.pools[name].breaker_window_minutes, 15)
      breaker_cooldown_minutes = try(var.spot_interruptions.pools[name].breaker_cooldown_minutes, 30)
    }
  }
}

# a cross-variable rule: a precondition, as variable validation cannot name var.pools on Terraform 1.5
resource "terraform_data" "interruptions_check" {
  input = keys(var.spot_interruptions.pools)

  lifecycle {
    precondition {
      condition     = alltrue([for name in keys(var.spot_interruptions.pools) : contains(keys(local.pools), name)])
      error_message = "spot_interruptions.pools names pools that var.pools does not define."
    }
  }
}

module "interruptions" {
  source = "./modules/interruptions"
  count  = var.spot_interruptions.enabled ? 1 : 0

  # security (docs/security.md)
  iam = var.iam

  prefix                    = var.prefix
  tags                      = var.tags
  kms_key_arn               = var.kms_key_arn
  log_retention_days        = var.log_retention_days
  lambda                    = local.lambda
  lambda_zip                = var.runners_lambda_zip
  memory_mb                 = var.spot_interruptions.memory_mb
  timeout_seconds           = var.spot_interruptions.timeout_seconds
  schedule_expression       = var.spot_interruptions.schedule_expression
  github_api_url            = local.github_api_url
  github_apps               = local.github_apps
  rebalance_recommendations = var.spot_interruptions.rebalance_recommendations
  max_points_per_run        = var.spot_interruptions.max_points_per_run
  github_points_per_minute  = local.github_points_set_aside
  rerun_watch_hours         = var.spot_interruptions.rerun_watch_hours
  pools                     = local.interruption_pools
  launcher_role_names       = flatten([for pool in module.runners : [pool.scale_up_role_name, pool.scale_down_role_name]])

  depends_on = [terraform_data.settings_check, terraform_data.interruptions_check, module.runners]
}

# ---------------------------------------------------------------------------------------------
# Dashboard and alarms (docs/metrics.md)
# ---------------------------------------------------------------------------------------------

module "dashboard" {
  source = "./modules/dashboard"

  prefix            = var.prefix
  tags              = var.tags
  dashboard_enabled = var.dashboard.enabled
  period_seconds    = var.dashboard.period_seconds
  alarms            = var.alarms
  webhook_api_id    = module.webhook.api_id
  # the budget alarm compares each installation's points with the limit the split divides
  github_points_per_minute_limit = var.github_points_per_minute_limit
  pools = { for name, pool in module.runners : name => {
    queue_name               = element(split("/", pool.queue_url), length(split("/", pool.queue_url)) - 1)
    dlq_name                 = element(split("/", pool.dlq_url), length(split("/", pool.dlq_url)) - 1)
    scale_up_function_name   = pool.scale_up_function_name
    scale_down_function_name = pool.scale_down_function_name
  } }
  function_names = merge(
    { webhook = module.webhook.function_name, binary-syncer = module.binary_syncer.function_name },
    { for m in module.sweeper : "sweeper" => m.function_name },
    { for m in module.interruptions : "interruptions" => m.function_name },
  )
  existing_alarm_arns = concat(
    [for pool in module.runners : pool.dlq_alarm_arn if pool.dlq_alarm_arn != null],
    [for pool in module.runners : pool.jobs_dead_lettered_alarm_arn if pool.jobs_dead_lettered_alarm_arn != null],
  )
}

# ---------------------------------------------------------------------------------------------
# Security warnings (docs/security.md)
# ---------------------------------------------------------------------------------------------

# A persistent runner serves many jobs, and at org level jobs of every repository of the owner; its
# runner user is in the docker group (start-runner.sh), which is root on the host. One job can then
# leave something behind for the next repository's job. A warning, not an error: some owners accept it.
check "persistent_org_pools_with_docker" {
  assert {
    condition     = length([for p in var.pools : p.name if !p.ephemeral && p.runner_level == "org" && p.os != "windows"]) == 0
    error_message = "Pools ${join(", ", [for p in var.pools : p.name if !p.ephemeral && p.runner_level == "org" && p.os != "windows"])} are persistent (ephemeral = false) at org level: their runner user can use docker (root on a host shared by every repository's jobs). Prefer ephemeral runners, or runner_level = repo (docs/security.md)."
  }
}
