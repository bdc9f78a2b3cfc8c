output "function_name" {
  description = "Name of the function."
  value       = try(aws_lambda_function.this.function_name, null)
}

output "function_arn" {
  description = "Unqualified ARN of the function (what EventBridge targets and Lambda permissions name)."
  value       = try(aws_lambda_function.this.arn, null)
}

output "target_arn" {
  description = "ARN callers invoke: the `live` alias's with SnapStart, else the function's."
  value       = try(var.snapstart ? aws_lambda_alias.live[0].arn : aws_lambda_function.this.arn, null)
}

output "target_invoke_arn" {
  description = "API Gateway integration URI of target_arn."
  value       = try(var.snapstart ? aws_lambda_alias.live[0].invoke_arn : aws_lambda_function.this.invoke_arn, null)
}

output "alias_name" {
  description = "Name of the `live` alias (null without SnapStart): the qualifier of an invoke permission."
  value       = try(aws_lambda_alias.live[0].name, null)
}

output "alias_arn" {
  description = "ARN of the `live` alias (null without SnapStart)."
  value       = try(aws_lambda_alias.live[0].arn, null)
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = try(aws_iam_role.this.name, null)
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = try(aws_iam_role.this.arn, null)
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = try(aws_cloudwatch_log_group.this.name, null)
}

output "schedule_rule_name" {
  description = "Name of the EventBridge schedule rule (null without a schedule)."
  value       = try(aws_cloudwatch_event_rule.schedule[0].name, null)
}
