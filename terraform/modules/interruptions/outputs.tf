output "function_name" {
  description = "Name of the spot interruption Lambda function."
  value       = module.function.function_name
}

output "log_group_name" {
  description = "CloudWatch log group of the interruption function (warnings, re-runs, breaker changes, EMF metrics)."
  value       = module.function.log_group_name
}

output "breaker_parameter_path" {
  description = "SSM path under which each pool's breaker state (<path>/<pool>/breaker) and followed jobs live."
  value       = "/${var.prefix}/interruptions"
}
