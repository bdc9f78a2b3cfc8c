output "webhook_url" {
  description = "Enter this as the GitHub App's webhook URL."
  value       = module.webhook.webhook_url
}

output "webhook_function_name" {
  description = "Name of the webhook function."
  value       = module.webhook.function_name
}

output "github_app_parameter_names" {
  description = "SSM parameter names of the GitHub App id, private key and webhook secret(s)."
  value = {
    id              = local.app_id_parameter_name
    key             = local.app_key_parameter_name
    webhook_secrets = local.webhook_secret_parameter_names
  }
}

output "github" {
  description = "GitHub as the functions see it: API and web URL, every App's id and key parameter (first App first), and each scale-up/scale-down container's points a minute per installation."
  value = {
    api_url           = local.github_api_url
    web_url           = local.github_web_url
    apps              = [for app in local.github_apps : { id = app.id_parameter, key = app.key_parameter }]
    points_per_minute = local.github_points_per_minute
  }
}

output "pools" {
  description = "Per pool: queue and dead-letter queue URLs, scale-up and scale-down function names, launch template, runner config path and log group."
  value = {
    for name, pool in module.runners : name => {
      queue_url                = pool.queue_url
      dlq_url                  = pool.dlq_url
      scale_up_function_name   = pool.scale_up_function_name
      scale_down_function_name = pool.scale_down_function_name
      launch_template_name     = pool.launch_template_name
      ssm_config_path          = pool.ssm_config_path
      runner_log_group         = pool.runner_log_group
      runner_key               = pool.runner_key
    }
  }
}

output "queue_urls" {
  description = "Job queue URL per pool."
  value       = { for name, pool in module.runners : name => pool.queue_url }
}

output "function_names" {
  description = "Every Lambda function name: webhook, binary syncer, and scale-up and scale-down per pool."
  value = {
    webhook       = module.webhook.function_name
    binary_syncer = module.binary_syncer.function_name
    scale_up      = { for name, pool in module.runners : name => pool.scale_up_function_name }
    scale_down    = { for name, pool in module.runners : name => pool.scale_down_function_name }
  }
}

output "runner_bucket_name" {
  description = "S3 bucket of the runner tarball cache."
  value       = module.binary_syncer.runner_bucket_name
}

output "binary_syncer_function_name" {
  description = "Invoke once after the first apply (aws lambda invoke --function-name <this> /dev/stdout) so the first runner finds its tarball."
  value       = module.binary_syncer.function_name
}

# ---------------------------------------------------------------------------------------------
# Webhook routing and redelivery sweeper
# ---------------------------------------------------------------------------------------------

output "webhook_routing" {
  description = "The pools as the webhook routes them, in order: name, labels, match, priority (the lowest number wins), default."
  value       = module.webhook.routing
}

output "sweeper_function_name" {
  description = "Name of the redelivery sweeper function (null when redelivery_sweeper.enabled is false)."
  value       = try(module.sweeper[0].function_name, null)
}

# ---------------------------------------------------------------------------------------------
# Spot interruptions
# ---------------------------------------------------------------------------------------------

output "interruptions_function_name" {
  description = "Name of the spot interruption function (null when spot_interruptions.enabled is false)."
  value       = try(module.interruptions[0].function_name, null)
}

output "interruptions_state_path" {
  description = "SSM path of the breaker states (<path>/<pool>/breaker) and the followed interrupted jobs."
  value       = try(module.interruptions[0].breaker_parameter_path, null)
}

# ---------------------------------------------------------------------------------------------
# Dashboard and alarms
# ---------------------------------------------------------------------------------------------

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when dashboard.enabled is false)."
  value       = module.dashboard.dashboard_name
}

output "dashboard_body" {
  description = "The dashboard's JSON body (what DashboardContractTest checks the metric catalogue against)."
  value       = module.dashboard.dashboard_body
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (null when alarms.enabled is false)."
  value       = module.dashboard.alarm_topic_arn
}
