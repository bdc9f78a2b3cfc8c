output "runner_bucket_name" {
  description = "Name of the runner cache bucket."
  value       = try(aws_s3_bucket.cache.id, null)
}

output "runner_bucket_arn" {
  description = "ARN of the runner cache bucket."
  value       = try(aws_s3_bucket.cache.arn, null)
}

output "function_name" {
  description = "Name of the syncer function: invoke it once after the first apply so the first runner finds its tarball."
  value       = module.function.function_name
}

output "runner_key_prefix" {
  description = "Object key prefix of the runner tarballs."
  value       = var.runner_key_prefix
}
