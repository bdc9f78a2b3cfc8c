# The function's resources before modules/function existed.
moved {
  from = aws_cloudwatch_log_group.sweeper
  to   = module.function.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.sweeper
  to   = module.function.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.sweeper
  to   = module.function.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.vpc
  to   = module.function.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.sweeper
  to   = module.function.aws_lambda_function.this
}
moved {
  from = aws_cloudwatch_event_rule.sweeper
  to   = module.function.aws_cloudwatch_event_rule.schedule[0]
}
moved {
  from = aws_cloudwatch_event_target.sweeper
  to   = module.function.aws_cloudwatch_event_target.schedule[0]
}
moved {
  from = aws_lambda_permission.sweeper
  to   = module.function.aws_lambda_permission.schedule[0]
}
