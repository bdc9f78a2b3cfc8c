# The function's resources before modules/function existed.
moved {
  from = aws_cloudwatch_log_group.interruptions
  to   = module.function.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.interruptions
  to   = module.function.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.interruptions
  to   = module.function.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.vpc
  to   = module.function.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.interruptions
  to   = module.function.aws_lambda_function.this
}
moved {
  from = aws_cloudwatch_event_rule.schedule
  to   = module.function.aws_cloudwatch_event_rule.schedule[0]
}
moved {
  from = aws_cloudwatch_event_target.schedule
  to   = module.function.aws_cloudwatch_event_target.schedule[0]
}
moved {
  from = aws_lambda_permission.schedule
  to   = module.function.aws_lambda_permission.schedule[0]
}
