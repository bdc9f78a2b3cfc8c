output "endpoint" {
  description = "The emulator endpoint this deployment lives in."
  value       = var.endpoint
}

output "region" {
  description = "The emulator region."
  value       = var.aws_region
}

output "webhook_url" {
  description = "URL of the webhook route (the emulator's API Gateway endpoint)."
  value       = module.spotrunner.webhook_url
}

output "queue_urls" {
  description = "Job queue URL per pool."
  value       = module.spotrunner.queue_urls
}

output "pools" {
  description = "Per pool: queues, functions, launch template, runner config path."
  value       = module.spotrunner.pools
}

output "function_names" {
  description = "Every Lambda function name; read their environment back with GetFunctionConfiguration."
  value       = module.spotrunner.function_names
}

output "github_app_parameter_names" {
  description = "SSM parameter names of the GitHub App id, key and webhook secret(s)."
  value       = module.spotrunner.github_app_parameter_names
}

output "runner_bucket_name" {
  description = "S3 bucket of the runner cache."
  value       = module.spotrunner.runner_bucket_name
}

output "subnet_ids" {
  description = "Subnets of the emulated VPC."
  value       = [for s in aws_subnet.local : s.id]
}

output "spot_interruption_notice_seconds" {
  description = "Seconds between a spot interruption warning and the termination when the local stack reclaims a machine (demo value; AWS gives 120)."
  value       = var.spot_interruption_notice_seconds
}
