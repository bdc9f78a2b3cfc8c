output "function_name" {
  description = "Name of the spot interruption Lambda function."
  value       = try(aws_lambda_function.interruptions.function_name, null)
}

output "log_group_name" {
  description = "CloudWatch log group of the interruption function (warnings, re-runs, breaker changes, EMF metrics)."
  value       = try(aws_cloudwatch_log_group.interruptions.name, null)
}

output "breaker_parameter_path" {
  description = "SSM path under which each pool's breaker state (<path>/<pool>/breaker) and followed jobs live."
  value       = "/${var.prefix}/interruptions"
}
