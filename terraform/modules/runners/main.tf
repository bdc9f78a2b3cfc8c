data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  pool      = var.pool
  name      = "${var.prefix}-${var.pool.name}"
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  ssm_arn   = "arn:${local.partition}:ssm:${local.region}:${local.account}:parameter"
  ec2_arn   = "arn:${local.partition}:ec2:${local.region}:${local.account}"

  ssm_config_path    = var.ssm_config_path != "" ? var.ssm_config_path : "/${var.prefix}/runners"
  runner_name_prefix = var.runner_name_prefix != "" ? var.runner_name_prefix : "${var.prefix}-"
  config_arn         = "${local.ssm_arn}${local.ssm_config_path}/${var.pool.name}/*"
  # outside the config path: scale-down's orphan sweep lists that path
  launch_lock_parameter = "/${var.prefix}/launch-locks/${var.pool.name}"
  launch_lock_arn       = "${local.ssm_arn}${local.launch_lock_parameter}"
  # one id and one key parameter per GitHub App, comma-separated (docs/github-app.md)
  app_parameter_arns = [
    for name in concat([for app in var.github_apps : app.id_parameter], [for app in var.github_apps : app.key_parameter]) :
    "${local.ssm_arn}/${trimprefix(name, "/")}"
  ]

  runner_security_group_ids = concat([aws_security_group.runner.id], var.runner_security.security_group_ids)

  runner_labels = distinct(concat(var.pool.labels, var.pool.extra_labels))
  # Platform, runner key, default AMI and root device per OS: images.tf.
  platform          = local.boot_platform
  runner_key        = local.boot_runner_key
  ami_ssm_parameter = local.boot_ami_parameter
  image_id          = local.boot_image_id
  root_device       = local.boot_root_device

  instance_tags = merge(var.tags, {
    "spotrunner:environment" = var.prefix
    "spotrunner:pool"        = var.pool.name
    "spotrunner:application" = "spotrunner"
    "Name"                   = "${local.name}-runner"
  })

  warm_windows_json = jsonencode([
    for w in var.pool.warm_windows : merge({ cron = w.cron, timeZone = w.time_zone, idle = w.idle }, w.owner == null ? {} : { owner = w.owner })
  ])

  # The runner only reads: its config (a SecureString) through SSM and the runner tarball through
  # S3, nothing else with the key. CloudWatch Logs encrypts its log group itself (the key policy
  # admits the logs service, docs/security.md).
  runner_kms_statements = var.kms_key_arn == null ? [] : [{
    Sid       = "DecryptConfigAndTarball"
    Effect    = "Allow"
    Action    = ["kms:Decrypt"]
    Resource  = var.kms_key_arn
    Condition = { StringEquals = { "kms:ViaService" = ["ssm.${local.region}.amazonaws.com", "s3.${local.region}.amazonaws.com"] } }
  }]
  # scale-up: runner configs are SecureStrings under the CMK (RUNNER_CONFIG_KMS_KEY_ID); SSM
  # encrypts Standard values with Encrypt and Advanced ones with a data key, only through SSM.
  config_kms_statement = {
    Sid       = "EncryptRunnerConfigs"
    Effect    = "Allow"
    Action    = ["kms:Encrypt", "kms:GenerateDataKey"]
    Resource  = var.kms_key_arn
    Condition = { StringEquals = { "kms:ViaService" = "ssm.${local.region}.amazonaws.com" } }
  }
  # Each instance reads and deletes only the config written for it: scale-up tags it with the
  # instance's ARN on creation (Overwrite=false), the credentials of an instance profile carry
  # ec2:SourceInstanceARN. An untagged or foreign config is refused.
  own_config_condition = { StringEquals = { "ssm:resourceTag/spotrunner:instance" = "$${ec2:SourceInstanceARN}" } }
  # scale-up and scale-down: read the App key, send to and receive from the CMK-encrypted queues;
  # only through SSM and SQS, so the credentials cannot decrypt anything else with the key.
  lambda_kms_statements = var.kms_key_arn == null ? [] : [{
    Sid       = "KmsForParametersAndQueues"
    Effect    = "Allow"
    Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource  = var.kms_key_arn
    Condition = { StringEquals = { "kms:ViaService" = ["ssm.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"] } }
  }]
}

# Nothing reads or writes the queues over plain HTTP (aws:SecureTransport). In the queues' own
# policy attribute (ARN built from the name): a separate aws_sqs_queue_policy adds nothing.
locals {
  deny_insecure_transport = { for queue in ["${local.name}-jobs", "${local.name}-jobs-dlq"] : queue => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = "arn:${local.partition}:sqs:${local.region}:${local.account}:${queue}"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  }) }
}

# ---------------------------------------------------------------------------------------------
# Queue: the webhook sends job messages, scale-up consumes them; failures end in the DLQ.
# ---------------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                              = "${local.name}-jobs-dlq"
  message_retention_seconds         = 1209600
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  policy                            = local.deny_insecure_transport["${local.name}-jobs-dlq"]
  tags                              = var.tags
}

resource "aws_sqs_queue" "jobs" {
  name                              = "${local.name}-jobs"
  delay_seconds                     = var.pool.delay_seconds
  visibility_timeout_seconds        = 6 * var.scale_up_timeout_seconds
  message_retention_seconds         = 86400
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.pool.dlq_max_receive_count
  })
  policy = local.deny_insecure_transport["${local.name}-jobs"]
  tags   = var.tags
}

# A message in the DLQ is a job nothing serves until a person or the redrive acts; scale-up
# dead-letters only what it cannot serve (malformed, invalid names, permanent launch failures).
resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  alarm_name          = "${local.name}-jobs-dlq-not-empty"
  alarm_description   = "spotrunner pool ${var.pool.name}: messages in the jobs DLQ (reason in the spotrunnerReason attribute; docs/scale-up.md)"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "jobs_dead_lettered" {
  alarm_name          = "${local.name}-jobs-dead-lettered"
  alarm_description   = "spotrunner pool ${var.pool.name}: scale-up sent jobs to the DLQ (JobsDropped by reason tells why)"
  namespace           = "spotrunner"
  metric_name         = "JobsDeadLettered"
  dimensions          = { pool = var.pool.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

# ---------------------------------------------------------------------------------------------
# Runner instances: launch template, role and profile, security group.
# ---------------------------------------------------------------------------------------------

resource "aws_security_group" "runner" {
  name_prefix = "${local.name}-runner-"
  description = "spotrunner ${local.name} runners: no inbound traffic, all outbound"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${local.name}-runner" })

  lifecycle {
    create_before_destroy = true
  }
}

# runner_security.egress: all outbound by default; narrow it to a proxy or to GitHub and AWS endpoints.
resource "aws_vpc_security_group_egress_rule" "runner" {
  for_each = { for i, rule in var.runner_security.egress : tostring(i) => rule }

  security_group_id = aws_security_group.runner.id
  description       = coalesce(each.value.description, "runners reach GitHub, S3, SSM and package mirrors")
  ip_protocol       = each.value.ip_protocol
  cidr_ipv4         = each.value.cidr_ipv4
  cidr_ipv6         = each.value.cidr_ipv6
  prefix_list_id    = each.value.prefix_list_id
  from_port         = each.value.ip_protocol == "-1" ? null : each.value.from_port
  to_port           = each.value.ip_protocol == "-1" ? null : each.value.to_port
  tags              = var.tags
}

moved {
  from = aws_vpc_security_group_egress_rule.all
  to   = aws_vpc_security_group_egress_rule.runner["0"]
}

resource "aws_cloudwatch_log_group" "runner" {
  name              = "/${var.prefix}/runners/${var.pool.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "runner" {
  name                 = "${local.name}-runner"
  path                 = var.iam.role_path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "runner" {
  name = "runner"
  role = aws_iam_role.runner.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        # Only its pool's path and its own config: scale-up writes <path>/<pool>/<instance-id>
        # tagged with the instance's ARN, the start script reads and deletes it.
        Sid       = "ReadAndDeleteRunnerConfig"
        Effect    = "Allow"
        Action    = ["ssm:GetParameter", "ssm:DeleteParameter"]
        Resource  = local.config_arn
        Condition = local.own_config_condition
      },
      {
        Sid      = "ReadRunnerTarball"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "arn:${local.partition}:s3:::${var.runner_bucket_name}/${local.runner_key}"
      },
      {
        Sid      = "WriteItsLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = "${aws_cloudwatch_log_group.runner.arn}:*"
      },
    ], local.runner_kms_statements)
  })
}

# Session Manager without AmazonSSMManagedInstanceCore: that managed policy allows
# ssm:GetParameter* on every parameter, i.e. any job could read the GitHub App key. These are the
# agent's channel actions only; none of them supports a resource narrower than "*".
resource "aws_iam_role_policy" "ssm_session" {
  count = var.pool.enable_ssm_session ? 1 : 0

  name = "ssm-session"
  role = aws_iam_role.runner.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "SessionManagerChannelsOnly"
      Effect = "Allow"
      Action = [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "runner_extra" {
  for_each = toset(var.runner_security.managed_policy_arns)

  role       = aws_iam_role.runner.name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "runner" {
  name = "${local.name}-runner"
  path = var.iam.role_path
  role = aws_iam_role.runner.name
  tags = var.tags
}

resource "aws_launch_template" "runner" {
  name                                 = local.name
  description                          = "spotrunner ${local.name} runners"
  image_id                             = local.image_id
  instance_initiated_shutdown_behavior = "terminate"
  update_default_version               = true
  user_data                            = local.user_data == null ? null : base64encode(local.user_data)
  # With associate_public_ip_address set, the groups move to the network interface (EC2 refuses both).
  vpc_security_group_ids = var.runner_security.associate_public_ip_address == null ? local.runner_security_group_ids : null

  dynamic "network_interfaces" {
    for_each = var.runner_security.associate_public_ip_address == null ? [] : [var.runner_security.associate_public_ip_address]
    content {
      device_index                = 0
      associate_public_ip_address = network_interfaces.value
      security_groups             = local.runner_security_group_ids
      delete_on_termination       = true
    }
  }

  iam_instance_profile {
    arn = aws_iam_instance_profile.runner.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.pool.metadata_hop_limit
  }

  block_device_mappings {
    device_name = local.root_device
    ebs {
      volume_size           = var.pool.root_volume_size_gb
      volume_type           = var.pool.root_volume_type
      encrypted             = true
      kms_key_id            = var.kms_key_arn
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = false
  }

  tag_specifications {
    resource_type = "instance"
    tags          = local.instance_tags
  }

  tag_specifications {
    resource_type = "volume"
    tags          = local.instance_tags
  }

  tag_specifications {
    resource_type = "network-interface"
    tags          = local.instance_tags
  }

  tags = var.tags
}
