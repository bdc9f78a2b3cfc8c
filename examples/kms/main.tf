# One ephemeral pool with every encrypted resource under one customer managed key (kms.tf): the SSM
# parameters (App settings and runner configs), the queues, the log groups, the runner cache bucket and
# the runners' root volumes.
module "spotrunner" {
  source = "../../terraform"

  prefix      = local.prefix
  vpc_id      = var.vpc_id
  subnet_ids  = var.subnet_ids
  tags        = { Project = "ci-runners" }
  kms_key_arn = aws_kms_key.spotrunner.arn
  iam         = { role_path = local.role_path }

  webhook_lambda_zip       = local.webhook_lambda_zip
  runners_lambda_zip       = local.runners_lambda_zip
  binary_syncer_lambda_zip = local.binary_syncer_lambda_zip

  github_app = {
    id             = var.github_app_id
    key            = var.github_app_key_base64
    webhook_secret = var.webhook_secret
  }

  pools = local.pools
}
