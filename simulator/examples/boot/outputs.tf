output "webhook_url" {
  description = "Enter this as the GitHub App's webhook URL."
  value       = module.spotrunner.webhook_url
}

output "queue_urls" {
  description = "Job queue URL per pool."
  value       = module.spotrunner.queue_urls
}

output "function_names" {
  description = "Every Lambda function name."
  value       = module.spotrunner.function_names
}

output "binary_syncer_function_name" {
  description = "Invoke once after the first apply so the first runner finds its tarball."
  value       = module.spotrunner.binary_syncer_function_name
}

output "runner_bucket_name" {
  description = "S3 bucket of the runner cache."
  value       = module.spotrunner.runner_bucket_name
}
