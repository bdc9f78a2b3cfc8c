output "webhook_url" {
  description = "URL to enter as the GitHub App's webhook URL."
  value       = try("${aws_apigatewayv2_api.webhook.api_endpoint}/webhook", null)
}

output "function_name" {
  description = "Name of the webhook Lambda function."
  value       = module.function.function_name
}

output "function_alias_arn" {
  description = "ARN of the `live` alias API Gateway invokes (null without SnapStart)."
  value       = module.function.alias_arn
}

output "role_arn" {
  description = "ARN of the webhook function's IAM role."
  value       = module.function.role_arn
}

output "api_id" {
  description = "Id of the HTTP API."
  value       = try(aws_apigatewayv2_api.webhook.id, null)
}

output "pools_parameter_name" {
  description = "SSM parameter holding the pools JSON, when pools_in_ssm is set."
  value       = try(aws_ssm_parameter.pools[0].name, null)
}

output "routing" {
  description = "The pools as the webhook routes them, in POOLS order without queue URLs: name, labels, match, priority (the lowest number wins), default. Known at plan time, so tests can feed an example's pools through the router."
  value = [
    for pool in var.pools : {
      name     = pool.name
      labels   = pool.labels
      match    = pool.match
      priority = pool.priority
      default  = pool.default
    }
  ]
}
