output "function_name" {
  description = "Name of the redelivery sweeper Lambda function."
  value       = try(aws_lambda_function.sweeper.function_name, null)
}

output "log_group_name" {
  description = "CloudWatch log group of the sweeper (one `sweep done` line per run, plus its EMF metrics)."
  value       = try(aws_cloudwatch_log_group.sweeper.name, null)
}
