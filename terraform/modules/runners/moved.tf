# scale-up's and scale-down's resources before modules/function existed.
moved {
  from = aws_cloudwatch_log_group.scale_up
  to   = module.scale_up.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.scale_up
  to   = module.scale_up.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.scale_up
  to   = module.scale_up.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.scale_up_vpc
  to   = module.scale_up.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.scale_up
  to   = module.scale_up.aws_lambda_function.this
}
moved {
  from = aws_lambda_alias.scale_up
  to   = module.scale_up.aws_lambda_alias.live
}

moved {
  from = aws_cloudwatch_log_group.scale_down
  to   = module.scale_down.aws_cloudwatch_log_group.this
}
moved {
  from = aws_iam_role.scale_down
  to   = module.scale_down.aws_iam_role.this
}
moved {
  from = aws_iam_role_policy.scale_down
  to   = module.scale_down.aws_iam_role_policy.this
}
moved {
  from = aws_iam_role_policy_attachment.scale_down_vpc
  to   = module.scale_down.aws_iam_role_policy_attachment.vpc
}
moved {
  from = aws_lambda_function.scale_down
  to   = module.scale_down.aws_lambda_function.this
}
moved {
  from = aws_cloudwatch_event_rule.scale_down
  to   = module.scale_down.aws_cloudwatch_event_rule.schedule[0]
}
moved {
  from = aws_cloudwatch_event_target.scale_down
  to   = module.scale_down.aws_cloudwatch_event_target.schedule[0]
}
moved {
  from = aws_lambda_permission.scale_down
  to   = module.scale_down.aws_lambda_permission.schedule[0]
}
