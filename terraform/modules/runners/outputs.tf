output "pool_name" {
  description = "Name of the pool."
  value       = var.pool.name
}

output "queue_url" {
  description = "URL of the pool's job queue."
  value       = try(aws_sqs_queue.jobs.url, null)
}

output "queue_arn" {
  description = "ARN of the pool's job queue."
  value       = try(aws_sqs_queue.jobs.arn, null)
}

output "dlq_url" {
  description = "URL of the pool's dead-letter queue."
  value       = try(aws_sqs_queue.dlq.url, null)
}

output "scale_up_function_name" {
  description = "Name of the pool's scale-up function."
  value       = module.scale_up.function_name
}

output "scale_down_function_name" {
  description = "Name of the pool's scale-down function."
  value       = module.scale_down.function_name
}

output "launch_template_name" {
  description = "Name of the pool's launch template."
  value       = try(aws_launch_template.runner.name, null)
}

output "runner_role_arn" {
  description = "ARN of the runner instances' IAM role."
  value       = try(aws_iam_role.runner.arn, null)
}

output "runner_log_group" {
  description = "CloudWatch log group the runner instances write user-data logs to."
  value       = try(aws_cloudwatch_log_group.runner.name, null)
}

output "ssm_config_path" {
  description = "SSM path of this pool's runner configs (<path>/<instance-id>)."
  value       = "${local.ssm_config_path}/${var.pool.name}"
}

output "runner_key" {
  description = "S3 key of the runner tarball this pool's instances download."
  value       = local.runner_key
}

output "platform" {
  description = "Runner platform of this pool, e.g. linux-x64."
  value       = local.platform
}

output "user_data" {
  description = "Rendered user_data of the pool's instances (no secrets in it)."
  value       = local.user_data
}

output "jobs_dead_lettered_alarm_arn" {
  description = "ARN of the alarm on the jobs scale-up sent to the pool's DLQ (JobsDeadLettered)."
  value       = try(aws_cloudwatch_metric_alarm.jobs_dead_lettered.arn, null)
}

output "dlq_alarm_arn" {
  description = "ARN of the alarm on the pool's DLQ depth."
  value       = try(aws_cloudwatch_metric_alarm.dlq_depth.arn, null)
}

output "scale_up_role_name" {
  description = "Name of the scale-up function's IAM role."
  value       = module.scale_up.role_name
}

output "scale_down_role_name" {
  description = "Name of the scale-down function's IAM role."
  value       = module.scale_down.role_name
}
