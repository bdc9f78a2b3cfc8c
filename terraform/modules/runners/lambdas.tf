# ---------------------------------------------------------------------------------------------
# What scale-up and scale-down both read: the pool, its launch template, GitHub, the queues.
# ---------------------------------------------------------------------------------------------

locals {
  pool_environment = {
    GITHUB_API_URL           = var.github_api_url
    GITHUB_APP_ID_PARAM      = join(",", [for app in var.github_apps : app.id_parameter])
    GITHUB_APP_KEY_PARAM     = join(",", [for app in var.github_apps : app.key_parameter])
    GITHUB_WEB_URL           = var.github_web_url
    GITHUB_POINTS_PER_MINUTE = tostring(var.github_points_per_minute)
    POOL_NAME                = var.pool.name
    POOL_LABELS              = join(",", local.runner_labels)
    RUNNER_LEVEL             = var.pool.runner_level
    LAUNCH_TEMPLATE_NAME     = aws_launch_template.runner.name
    INSTANCE_TYPES           = join(",", var.pool.instance_types)
    SUBNET_IDS               = join(",", var.subnet_ids)
    MAX_RUNNERS              = tostring(var.pool.max_count)
    CAPACITY_TYPE            = var.pool.capacity_type
    SPOT_ALLOCATION_STRATEGY = var.pool.spot_allocation_strategy
    SPOT_MAX_PRICE           = var.pool.spot_max_price == null ? "" : var.pool.spot_max_price
    ON_DEMAND_FAILOVER       = tostring(var.pool.on_demand_failover)
    EPHEMERAL                = tostring(var.pool.ephemeral)
    USE_JIT_CONFIG           = tostring(var.pool.use_jit_config)
    RUNNER_GROUP             = var.pool.runner_group
    RUNNER_NAME_PREFIX       = local.runner_name_prefix
    SSM_CONFIG_PATH          = local.ssm_config_path
    QUEUE_URL                = aws_sqs_queue.jobs.url
    DLQ_URL                  = aws_sqs_queue.dlq.url
  }

  read_github_app_statement = {
    Sid      = "ReadGitHubApp"
    Effect   = "Allow"
    Action   = ["ssm:GetParameter"]
    Resource = local.app_parameter_arns
  }
}

# ---------------------------------------------------------------------------------------------
# scale-up: consumes the pool's queue and launches instances.
# ---------------------------------------------------------------------------------------------

# What launching runners needs: scale-up only (scale-down asks it through the queue).
locals {
  launch_statements = [
    {
      Sid      = "WriteRunnerConfigs"
      Effect   = "Allow"
      Action   = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:ListTagsForResource"]
      Resource = local.config_arn
    },
    {
      Sid    = "ResolveAmi"
      Effect = "Allow"
      Action = ["ssm:GetParameter", "ssm:GetParameters"]
      # Public AMI parameters have no account in their ARN; your own ones do.
      Resource = ["arn:${local.partition}:ssm:${local.region}::parameter${local.ami_ssm_parameter}", "${local.ssm_arn}${local.ami_ssm_parameter}"]
    },
    {
      Sid      = "DescribeForLaunch"
      Effect   = "Allow"
      Action   = ["ec2:DescribeInstances", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeImages", "ec2:DescribeSubnets", "ec2:DescribeInstanceTypes"]
      Resource = "*"
    },
    # CreateFleet is authorised per resource: the instances and volumes only with this pool's
    # tags on create, the template only when it is this pool's, the rest scoped to region and account.
    {
      Sid       = "CreateFleetTaggedInstances"
      Effect    = "Allow"
      Action    = ["ec2:CreateFleet"]
      Resource  = ["${local.ec2_arn}:instance/*", "${local.ec2_arn}:volume/*"]
      Condition = { StringEquals = { "aws:RequestTag/spotrunner:environment" = var.prefix, "aws:RequestTag/spotrunner:pool" = var.pool.name } }
    },
    {
      Sid      = "CreateFleetFromThisTemplate"
      Effect   = "Allow"
      Action   = ["ec2:CreateFleet"]
      Resource = aws_launch_template.runner.arn
    },
    {
      Sid    = "CreateFleetResources"
      Effect = "Allow"
      Action = ["ec2:CreateFleet"]
      Resource = [
        "${local.ec2_arn}:fleet/*",
        "${local.ec2_arn}:subnet/*",
        "${local.ec2_arn}:security-group/*",
        "${local.ec2_arn}:network-interface/*",
        "${local.ec2_arn}:spot-instances-request/*",
        "arn:${local.partition}:ec2:${local.region}::image/*",
      ]
    },
    {
      # Every resource RunInstances touches is covered, but only when launched from this pool's template.
      Sid       = "LaunchFromThisTemplate"
      Effect    = "Allow"
      Action    = ["ec2:RunInstances"]
      Resource  = "*"
      Condition = { ArnLike = { "ec2:LaunchTemplate" = aws_launch_template.runner.arn } }
    },
    {
      Sid       = "TagOnLaunch"
      Effect    = "Allow"
      Action    = ["ec2:CreateTags"]
      Resource  = "*"
      Condition = { StringEquals = { "ec2:CreateAction" = ["RunInstances", "CreateFleet"] } }
    },
    {
      Sid       = "TagOwnInstances"
      Effect    = "Allow"
      Action    = ["ec2:CreateTags"]
      Resource  = "arn:${local.partition}:ec2:${local.region}:${local.account}:instance/*"
      Condition = { StringEquals = { "ec2:ResourceTag/spotrunner:environment" = var.prefix, "ec2:ResourceTag/spotrunner:pool" = var.pool.name } }
    },
    {
      Sid      = "PassRunnerRole"
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = aws_iam_role.runner.arn
    },
    {
      Sid       = "SpotServiceLinkedRoles"
      Effect    = "Allow"
      Action    = ["iam:CreateServiceLinkedRole"]
      Resource  = "*"
      Condition = { StringEquals = { "iam:AWSServiceName" = ["spot.amazonaws.com", "ec2fleet.amazonaws.com"] } }
    },
    {
      # A launched instance that got no runner config is terminated at once; only this pool's.
      Sid      = "TerminatePoolInstances"
      Effect   = "Allow"
      Action   = ["ec2:TerminateInstances"]
      Resource = "arn:${local.partition}:ec2:${local.region}:${local.account}:instance/*"
      Condition = {
        StringEquals = {
          "ec2:ResourceTag/spotrunner:environment" = var.prefix
          "ec2:ResourceTag/spotrunner:pool"        = var.pool.name
        }
      }
    },
  ]
  # EBS encrypts the root volume with the CMK on the caller's behalf (through EC2): it needs a grant
  # for the volume (only for an AWS resource), and data keys that never reach the caller in plaintext.
  launch_kms_statements = [for statement in [
    {
      Sid      = "EbsGrantForLaunch"
      Effect   = "Allow"
      Action   = ["kms:CreateGrant"]
      Resource = var.kms_key_arn
      Condition = {
        Bool         = { "kms:GrantIsForAWSResource" = "true" }
        StringEquals = { "kms:ViaService" = "ec2.${local.region}.amazonaws.com" }
      }
    },
    {
      Sid       = "EbsEncryptWithCmk"
      Effect    = "Allow"
      Action    = ["kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      Resource  = var.kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = "ec2.${local.region}.amazonaws.com" } }
    },
    local.config_kms_statement,
  ] : statement if var.kms_key_arn != null]
}

module "scale_up" {
  source = "../function"

  prefix             = var.prefix
  tags               = var.tags
  iam                = var.iam
  kms_key_arn        = var.kms_key_arn
  log_retention_days = var.log_retention_days
  lambda             = var.lambda
  lambda_zip         = var.lambda_zip

  name                 = "${local.name}-scale-up"
  role_name            = "${local.name}-scale-up"
  description          = "spotrunner scale-up of pool ${var.pool.name}: queued jobs to spot instances"
  handler              = "dev.spotrunner.runners.scaleup.ScaleUpHandler::handleRequest"
  memory_mb            = var.scale_up_memory_mb
  timeout_seconds      = var.scale_up_timeout_seconds
  reserved_concurrency = var.pool.scale_up_reserved_concurrency
  snapstart            = var.lambda_snapstart

  policy_name = "scale-up"
  policy_statements = concat([
    {
      Sid      = "ConsumeJobs"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      Resource = aws_sqs_queue.jobs.arn
    },
    {
      # its own delayed recheck of a launched job (JOB_RECHECK_SECONDS) and a job at the
      # maximum sent again after its backoff
      Sid      = "RecheckJobs"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = aws_sqs_queue.jobs.arn
    },
    {
      # malformed messages and permanent failures, with their reason
      Sid      = "DeadLetter"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = aws_sqs_queue.dlq.arn
    },
    {
      # one scale-up of the pool counts and launches at a time; under the lock's name: the
      # record of recent launches and the takeover markers of expired locks
      Sid      = "LaunchLock"
      Effect   = "Allow"
      Action   = ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter", "ssm:GetParametersByPath"]
      Resource = [local.launch_lock_arn, "${local.launch_lock_arn}/*"]
    },
    local.read_github_app_statement,
  ], local.launch_statements, local.lambda_kms_statements, local.launch_kms_statements)

  environment = merge(local.pool_environment, {
    JOB_QUEUED_CHECK    = tostring(var.pool.job_queued_check)
    JOB_RECHECK_SECONDS = tostring(var.pool.job_recheck_seconds)
    # rechecks go on while the job waits, bounded by its age
    JOB_RECHECK_MAX_AGE_MINUTES = tostring(var.pool.job_recheck_max_age_minutes)
    # the queue at the maximum, dead letters, one launcher
    JOB_CHECK_FIRST_RECEIVE    = tostring(var.pool.job_check_first_receive)
    QUEUE_BACKOFF_BASE_SECONDS = tostring(var.pool.queue_backoff_base_seconds)
    QUEUE_BACKOFF_MAX_SECONDS  = tostring(var.pool.queue_backoff_max_seconds)
    LAUNCH_LOCK_PARAM          = local.launch_lock_parameter
    LAUNCH_LOCK_LEASE_SECONDS  = tostring(var.scale_up_timeout_seconds)
    # runner configs under the CMK when one is given
    RUNNER_CONFIG_KMS_KEY_ID = var.kms_key_arn == null ? "" : var.kms_key_arn
  })
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
  function_name                      = module.scale_up.target_arn
  batch_size                         = var.pool.scale_up_batch_size
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  # Bounds the invocations the queue runs at once (2 is SQS's minimum); the launch lock keeps the
  # pool maximum under any number, this keeps lock waits and throttles rare.
  scaling_config {
    maximum_concurrency = var.pool.scale_up_max_concurrency
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# scale-down: on a schedule, removes idle runners, orphans and ghosts of this pool.
# ---------------------------------------------------------------------------------------------

module "scale_down" {
  source = "../function"

  prefix             = var.prefix
  tags               = var.tags
  iam                = var.iam
  kms_key_arn        = var.kms_key_arn
  log_retention_days = var.log_retention_days
  lambda             = var.lambda
  lambda_zip         = var.lambda_zip

  name            = "${local.name}-scale-down"
  role_name       = "${local.name}-scale-down"
  description     = "spotrunner scale-down of pool ${var.pool.name}: idle runners, orphans and ghosts"
  handler         = "dev.spotrunner.runners.scaledown.ScaleDownHandler::handleRequest"
  memory_mb       = var.scale_down_memory_mb
  timeout_seconds = var.scale_down_timeout_seconds
  schedule        = { expression = var.scale_down_schedule_expression, description = "spotrunner scale-down of pool ${var.pool.name}" }

  policy_name = "scale-down"
  policy_statements = concat([
    local.read_github_app_statement,
    {
      Sid      = "CleanRunnerConfigs"
      Effect   = "Allow"
      Action   = ["ssm:GetParametersByPath", "ssm:GetParameter", "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:PutParameter"]
      Resource = [local.config_arn, "${local.ssm_arn}${local.ssm_config_path}/${var.pool.name}"]
    },
    {
      Sid      = "Describe"
      Effect   = "Allow"
      Action   = ["ec2:DescribeInstances", "ec2:DescribeTags"]
      Resource = "*"
    },
    {
      # warm runners and rescues are asked of scale-up on the pool's queue: only scale-up launches
      Sid      = "AskScaleUp"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = aws_sqs_queue.jobs.arn
    },
    {
      Sid      = "RedriveDeadLetters"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      Resource = aws_sqs_queue.dlq.arn
    },
    {
      # Only instances of this environment and pool, found by the tags scale-up and the template set.
      Sid      = "TerminateAndTagPoolInstances"
      Effect   = "Allow"
      Action   = ["ec2:TerminateInstances", "ec2:CreateTags"]
      Resource = "arn:${local.partition}:ec2:${local.region}:${local.account}:instance/*"
      Condition = {
        StringEquals = {
          "ec2:ResourceTag/spotrunner:environment" = var.prefix
          "ec2:ResourceTag/spotrunner:pool"        = var.pool.name
        }
      }
    },
  ], local.lambda_kms_statements)

  environment = merge(local.pool_environment, {
    MINIMUM_RUNNING_TIME_MINUTES = tostring(var.minimum_running_time_minutes)
    BOOT_GRACE_MINUTES           = tostring(local.boot_grace_minutes)
    WARM_WINDOWS                 = local.warm_windows_json
    WARM_EVICTION                = var.pool.warm_eviction
    REDRIVE_MAX_MESSAGES         = tostring(var.pool.redrive_max_messages)
  })
}
