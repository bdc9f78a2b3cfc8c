# The customer managed key and its policy (docs/security.md, "KMS key policy for kms_key_arn"). The
# policy does not hand the key to every principal of the account: it names the key's administrators,
# the EC2 spot and EC2 Fleet service-linked roles, CloudWatch Logs for the module's log groups, and
# each of the module's roles with only what that role does with the key, through the one service it
# uses it for (kms:ViaService). The roles' IAM policies grant the same actions (a role needs both).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

# The role behind the caller's session, when Terraform runs under an assumed role.
data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  root      = "arn:${local.partition}:iam::${local.account}:root"
  via       = { for service in ["ssm", "sqs", "s3", "ec2"] : service => "${service}.${local.region}.amazonaws.com" }

  # The role ARNs the module creates from the same prefix, role path and pools (modules/runners,
  # modules/function: "<name>-role" for the functions without a role_name).
  role_arn           = "arn:${local.partition}:iam::${local.account}:role${local.role_path}"
  runner_roles       = [for pool in local.pools : "${local.role_arn}${local.prefix}-${pool.name}-runner"]
  scale_up_roles     = [for pool in local.pools : "${local.role_arn}${local.prefix}-${pool.name}-scale-up"]
  scale_down_roles   = [for pool in local.pools : "${local.role_arn}${local.prefix}-${pool.name}-scale-down"]
  webhook_role       = "${local.role_arn}${local.prefix}-webhook-role"
  syncer_role        = "${local.role_arn}${local.prefix}-binary-syncer-role"
  sweeper_role       = "${local.role_arn}${local.prefix}-redelivery-sweeper-role"
  interruptions_role = "${local.role_arn}${local.prefix}-spot-interruptions-role"

  spot_service_role  = "arn:${local.partition}:iam::${local.account}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"
  fleet_service_role = "arn:${local.partition}:iam::${local.account}:role/aws-service-role/ec2fleet.amazonaws.com/AWSServiceRoleForEC2Fleet"
  administrators     = length(var.key_administrator_arns) > 0 ? var.key_administrator_arns : [data.aws_iam_session_context.current.issuer_arn]

  # One statement per role group and service: the account root as principal, narrowed to the named
  # roles by aws:PrincipalArn (the roles need not exist yet), the service by kms:ViaService.
  role_grants = [
    { sid = "ScaleUpRunnerVolumes", roles = local.scale_up_roles, via = [local.via.ec2], actions = ["kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"] },
    { sid = "ScaleUpWritesRunnerConfigs", roles = local.scale_up_roles, via = [local.via.ssm], actions = ["kms:Encrypt", "kms:GenerateDataKey"] },
    { sid = "PoolFunctionsReadAppAndQueues", roles = concat(local.scale_up_roles, local.scale_down_roles), via = [local.via.ssm, local.via.sqs], actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    { sid = "RunnersReadConfigAndTarball", roles = local.runner_roles, via = [local.via.ssm, local.via.s3], actions = ["kms:Decrypt"] },
    { sid = "WebhookReadsSecretsSendsJobs", roles = [local.webhook_role], via = [local.via.ssm, local.via.sqs], actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    { sid = "SyncerWritesRunnerCache", roles = [local.syncer_role], via = [local.via.s3], actions = ["kms:Decrypt", "kms:GenerateDataKey"] },
    { sid = "SweeperReadsApp", roles = [local.sweeper_role], via = [local.via.ssm], actions = ["kms:Decrypt"] },
    { sid = "InterruptionsAppAndState", roles = [local.interruptions_role], via = [local.via.ssm], actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"] },
  ]
}

resource "aws_iam_service_linked_role" "spot" {
  count            = var.create_service_linked_roles ? 1 : 0
  aws_service_name = "spot.amazonaws.com"
}

resource "aws_iam_service_linked_role" "fleet" {
  count            = var.create_service_linked_roles ? 1 : 0
  aws_service_name = "ec2fleet.amazonaws.com"
}

resource "aws_kms_key" "spotrunner" {
  description         = "spotrunner ${local.prefix}: parameters, queues, logs, runner cache, runner volumes"
  enable_key_rotation = true

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid       = "KeyAdministrators"
        Effect    = "Allow"
        Principal = { AWS = local.administrators }
        Action = [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
          "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
          "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
        ]
        Resource = "*"
      },
      {
        # Terraform writes the GitHub App parameters under the key and reads them back, through SSM.
        Sid       = "AdministratorsWriteAppParameters"
        Effect    = "Allow"
        Principal = { AWS = local.administrators }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:ViaService" = local.via.ssm } }
      },
      {
        # Spot launches and EC2 Fleet create the encrypted root volumes through these roles.
        Sid       = "EbsThroughSpotAndFleetServiceLinkedRoles"
        Effect    = "Allow"
        Principal = { AWS = [local.spot_service_role, local.fleet_service_role] }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "EbsGrantsForSpotAndFleetServiceLinkedRoles"
        Effect    = "Allow"
        Principal = { AWS = [local.spot_service_role, local.fleet_service_role] }
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        # EBS keeps a grant for each volume scale-up launches, only for an AWS resource.
        Sid       = "ScaleUpRunnerVolumeGrants"
        Effect    = "Allow"
        Principal = { AWS = local.root }
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = {
          ArnEquals    = { "aws:PrincipalArn" = local.scale_up_roles }
          StringEquals = { "kms:ViaService" = local.via.ec2 }
          Bool         = { "kms:GrantIsForAWSResource" = "true" }
        }
      },
      {
        # The module's log groups: the Lambdas', the runners' and the webhook API's access log.
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = [
              "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}-*",
              "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws/apigateway/${local.prefix}-webhook",
              "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/${local.prefix}/runners/*",
            ]
          }
        }
      },
      ], [for grant in local.role_grants : {
        Sid       = grant.sid
        Effect    = "Allow"
        Principal = { AWS = local.root }
        Action    = grant.actions
        Resource  = "*"
        Condition = {
          ArnEquals    = { "aws:PrincipalArn" = grant.roles }
          StringEquals = { "kms:ViaService" = grant.via }
        }
    }])
  })

  # A key policy naming the service-linked roles is refused until they exist.
  depends_on = [aws_iam_service_linked_role.spot, aws_iam_service_linked_role.fleet]
}

resource "aws_kms_alias" "spotrunner" {
  name          = "alias/spotrunner-${local.prefix}"
  target_key_id = aws_kms_key.spotrunner.key_id
}
