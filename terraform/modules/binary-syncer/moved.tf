# The function's resources before modules/function existed.
moved {
  from = aws_cloudwatch_log_group.syncer
  to   = module.function.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.syncer
  to   = module.function.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.syncer
  to   = module.function.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.vpc
  to   = module.function.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.syncer
  to   = module.function.aws_lambda_function.this
}
moved {
  from = aws_cloudwatch_event_rule.syncer
  to   = module.function.aws_cloudwatch_event_rule.schedule[0]
}
moved {
  from = aws_cloudwatch_event_target.syncer
  to   = module.function.aws_cloudwatch_event_target.schedule[0]
}
moved {
  from = aws_lambda_permission.syncer
  to   = module.function.aws_lambda_permission.schedule[0]
}

# The lifecycle rule became optional (runner_bucket_noncurrent_days = null turns it off).
moved {
  from = aws_s3_bucket_lifecycle_configuration.cache
  to   = aws_s3_bucket_lifecycle_configuration.cache[0]
}
