output "webhook_url" {
  description = "Enter this as the GitHub App's webhook URL."
  value       = module.spotrunner.webhook_url
}

output "kms_key_arn" {
  description = "The customer managed key every encrypted resource uses."
  value       = aws_kms_key.spotrunner.arn
}

output "binary_syncer_function_name" {
  description = "Invoke once after the first apply so the first runner finds its tarball."
  value       = module.spotrunner.binary_syncer_function_name
}
