# The function's resources before modules/function existed.
moved {
  from = aws_cloudwatch_log_group.webhook
  to   = module.function.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.webhook
  to   = module.function.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.webhook
  to   = module.function.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.vpc
  to   = module.function.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.webhook
  to   = module.function.aws_lambda_function.this
}
moved {
  from = aws_lambda_alias.live
  to   = module.function.aws_lambda_alias.live
}
