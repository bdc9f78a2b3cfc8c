output "function_name" {
  description = "Name of the redelivery sweeper Lambda function."
  value       = module.function.function_name
}

output "log_group_name" {
  description = "CloudWatch log group of the sweeper (one `sweep done` line per run, plus its EMF metrics)."
  value       = module.function.log_group_name
}
