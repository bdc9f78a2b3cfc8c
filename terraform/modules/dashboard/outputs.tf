output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null when disabled)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

output "dashboard_body" {
  description = "The dashboard's JSON body, as deployed (also when the dashboard is disabled)."
  value       = jsonencode({ widgets = local.widgets })
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (created or given; null when alarms are off)."
  value       = var.alarms.enabled ? local.topic_arn : null
}

output "alarm_arns" {
  description = "ARNs of the alarms this module made."
  value       = [for arn in local.alarm_arns : arn if !contains(var.existing_alarm_arns, arn)]
}
