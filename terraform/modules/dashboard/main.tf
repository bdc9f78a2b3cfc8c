# ---------------------------------------------------------------------------------------------
# One CloudWatch dashboard and the alarms not made per pool by modules/runners. Every custom
# metric (namespace, name, dimension set) comes from metrics.json, which local's
# DashboardContractTest checks against what the functions really write: nothing here names a
# custom metric by hand.
# ---------------------------------------------------------------------------------------------

data "aws_region" "current" {}

locals {
  catalogue = jsondecode(file("${path.module}/metrics.json"))
  ns        = local.catalogue.namespace
  m         = local.catalogue.metrics
  region    = data.aws_region.current.name
  pools     = sort(keys(var.pools))

  functions = merge(
    var.function_names,
    { for pool, p in var.pools : "scale-up ${pool}" => p.scale_up_function_name },
    { for pool, p in var.pools : "scale-down ${pool}" => p.scale_down_function_name },
  )

  # A metric widget: title, metrics lines, the statistic they default to.
  graph = {
    type   = "metric"
    width  = 12
    height = 6
  }


  widgets = concat(
    [{
      type       = "text", width = 24, height = 2,
      properties = { markdown = "## spotrunner ${var.prefix}\nAre jobs waiting, why, and what does it cost. Metrics: docs/metrics.md; one job from webhook to instance: docs/troubleshooting.md." }
    }],
    [merge(local.graph, { properties = {
      title = "Pickup latency (job start delay) p50 / p90 / p99 per pool", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = concat([for pool in local.pools : [for stat in ["p50", "p90", "p99"] : [
        local.ns, local.m.pickup_latency.name, "environment", var.prefix, "pool", pool,
        { stat = stat, label = "${pool} ${stat}" }
      ]]]...)
      yAxis = { left = { label = "seconds", showUnits = false } }
    } })],
    [merge(local.graph, { properties = {
      title = "Jobs waiting (queue depth) per pool", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for pool in local.pools : [
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.pools[pool].queue_name,
        { stat = "Maximum", label = pool }
      ]]
    } })],
    [merge(local.graph, { properties = {
      title = "Age of the oldest waiting job per pool", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for pool in local.pools : [
        "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.pools[pool].queue_name,
        { stat = "Maximum", label = pool }
      ]]
      annotations = { horizontal = [{ label = "alarm", value = var.alarms.oldest_job_age_seconds }] }
    } })],
    [merge(local.graph, { properties = {
      title = "Dead-letter queue depth per pool", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for pool in local.pools : [
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.pools[pool].dlq_name,
        { stat = "Maximum", label = pool }
      ]]
    } })],
    [merge(local.graph, { properties = {
      title = "Instances running by pool and capacity type (at each scale-down cycle)", region = local.region, view = "timeSeries", stacked = true, period = var.period_seconds
      metrics = concat([for pool in local.pools : [for capacity in ["spot", "on-demand"] : [
        local.ns, local.m.instances_running.name, "pool", pool, "capacityType", capacity,
        { stat = "Maximum", label = "${pool} ${capacity}" }
      ]]]...)
    } })],
    [merge(local.graph, { properties = {
      title = "Runners launched by pool and capacity type", region = local.region, view = "timeSeries", stacked = true, period = var.period_seconds
      metrics = concat([for pool in local.pools : [for capacity in ["spot", "on-demand"] : [
        local.ns, local.m.runners_launched.name, "pool", pool, "capacityType", capacity,
        { stat = "Sum", label = "${pool} ${capacity}" }
      ]]]...)
    } })],
    [merge(local.graph, { properties = {
      title   = "Instances launched by pool, instance type and zone", region = local.region, view = "timeSeries", stacked = true, period = var.period_seconds
      metrics = [[{ expression = "SEARCH('{${local.ns},${join(",", local.m.instances_launched.dimensions)}} MetricName=\"${local.m.instances_launched.name}\"', 'Sum', ${var.period_seconds})", id = "placed", label = "" }]]
    } })],
    [merge(local.graph, { properties = {
      title = "Jobs received, dead-lettered, launch failures per pool", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = concat([for pool in local.pools : [for key in ["jobs_received", "jobs_dead_lettered", "launch_failures"] : [
        local.ns, local.m[key].name, "pool", pool, { stat = "Sum", label = "${pool} ${local.m[key].name}" }
      ]]]...)
    } })],
    [merge(local.graph, { properties = {
      title   = "Launch failures by pool and error code (CreateFleet's, or the failed call's)", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [[{ expression = "SEARCH('{${local.ns},${join(",", local.m.launch_failures_by_code.dimensions)}} MetricName=\"${local.m.launch_failures_by_code.name}\"', 'Sum', ${var.period_seconds})", id = "failures", label = "" }]]
    } })],
    [merge(local.graph, { properties = {
      title   = "Jobs dropped by reason (not_queued: GitHub says the job no longer waits)", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [[{ expression = "SEARCH('{${local.ns},${join(",", local.m.jobs_dropped.dimensions)}} MetricName=\"${local.m.jobs_dropped.name}\"', 'Sum', ${var.period_seconds})", id = "dropped", label = "" }]]
    } })],
    [merge(local.graph, { properties = {
      title = "Runners busy and idle (at each scale-down cycle); idle runners terminated", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = concat([for pool in local.pools : concat(
        [for key in ["runners_busy", "runners_idle"] : [
          local.ns, local.m[key].name, "pool", pool, { stat = "Maximum", label = "${pool} ${local.m[key].name}" }
        ]],
        [[local.ns, local.m.runners_idle_terminated.name, "pool", pool, { stat = "Sum", label = "${pool} ${local.m.runners_idle_terminated.name}" }]],
      )]...)
    } })],
    [merge(local.graph, { properties = {
      title = "Spot interruptions by pool, instance type and zone; jobs they interrupted", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = concat(
        [[{ expression = "SEARCH('{${local.ns},${join(",", local.m.spot_interruptions.dimensions)}} MetricName=\"${local.m.spot_interruptions.name}\"', 'Sum', ${var.period_seconds})", id = "interruptions", label = "" }]],
        [for pool in local.pools : [local.ns, local.m.interrupted_jobs.name, "pool", pool, { stat = "Sum", label = "${pool} interrupted jobs" }]],
      )
    } })],
    [merge(local.graph, { properties = {
      title = "GitHub points per installation and minute (budget ${var.github_points_per_minute_limit}); the redelivery sweeper's points", region = local.region, view = "timeSeries", period = 60
      metrics = [
        [{ expression = "SEARCH('{${local.ns},${join(",", local.m.github_points.dimensions)}} MetricName=\"${local.m.github_points.name}\"', 'Sum', 60)", id = "points", label = "" }],
        [local.ns, local.m.sweeper_points.name, "function", "sweeper", { stat = "Sum", label = "sweeper" }],
      ]
      annotations = { horizontal = [{ label = "${var.alarms.github_budget_percent} % of the budget", value = local.github_budget_alarm_points }] }
    } })],
    [merge(local.graph, { properties = {
      title   = "GitHub answers by installation and status (limited: a rate-limit answer; network: none)", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [[{ expression = "SEARCH('{${local.ns},${join(",", local.m.github_answers.dimensions)}} MetricName=\"${local.m.github_answers.name}\"', 'Sum', ${var.period_seconds})", id = "answers", label = "" }]]
    } })],
    [merge(local.graph, { properties = {
      title = "Runner binaries synced: platforms updated and failed per run", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for key in ["binaries_updated", "binaries_failed"] : [
        local.ns, local.m[key].name, "function", "binary-syncer", { stat = "Sum", label = local.m[key].name }
      ]]
    } })],
    [for stat in ["Errors", "Throttles", "Duration"] : merge(local.graph, { width = 8, properties = {
      title = "Functions: ${stat}", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for label in sort(keys(local.functions)) : [
        "AWS/Lambda", stat, "FunctionName", local.functions[label],
        { stat = stat == "Duration" ? "p99" : "Sum", label = label }
      ]]
    } })],
    [merge(local.graph, { properties = {
      title   = "Webhook answers 5xx and 4xx", region = local.region, view = "timeSeries", period = var.period_seconds
      metrics = [for code in ["5xx", "4xx"] : ["AWS/ApiGateway", code, "ApiId", var.webhook_api_id, { stat = "Sum", label = code }]]
    } })],
    length(local.alarm_arns) == 0 ? [] : [{
      type       = "alarm", width = 24, height = 4,
      properties = { title = "Alarms", alarms = local.alarm_arns }
    }],
  )

  alarm_arns = concat(
    var.existing_alarm_arns,
    [for alarm in aws_cloudwatch_metric_alarm.oldest_job : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.launch_failures : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.scale_up_errors : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.webhook_5xx : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.github_budget : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.jobs_dropped : alarm.arn],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = "${var.prefix}-spotrunner"
  dashboard_body = jsonencode({ widgets = local.widgets })
}

# ---------------------------------------------------------------------------------------------
# Alarms (the DLQ-not-empty and jobs-dead-lettered alarms are per pool in modules/runners)
# ---------------------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  count = var.alarms.enabled && var.alarms.sns_topic_arn == null ? 1 : 0

  name = "${var.prefix}-spotrunner-alarms"
  tags = var.tags
}

locals {
  topic_arn     = var.alarms.sns_topic_arn != null ? var.alarms.sns_topic_arn : one(aws_sns_topic.alarms[*].arn)
  alarm_actions = var.alarms.enabled ? [local.topic_arn] : []
  alarm_pools   = var.alarms.enabled ? var.pools : {}
}

resource "aws_cloudwatch_metric_alarm" "oldest_job" {
  for_each = local.alarm_pools

  alarm_name          = "${var.prefix}-${each.key}-oldest-job-waiting"
  alarm_description   = "spotrunner pool ${each.key}: a job message has waited over ${var.alarms.oldest_job_age_seconds} s in the queue (docs/troubleshooting.md)"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = each.value.queue_name }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.oldest_job_age_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "launch_failures" {
  for_each = local.alarm_pools

  alarm_name          = "${var.prefix}-${each.key}-launch-failures"
  alarm_description   = "spotrunner pool ${each.key}: scale-up could not launch an instance for a job (reason in its log line 'job back to the queue' or 'message dead-lettered')"
  namespace           = local.ns
  metric_name         = local.m.launch_failures.name
  dimensions          = { pool = each.key }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "scale_up_errors" {
  for_each = local.alarm_pools

  alarm_name          = "${var.prefix}-${each.key}-scale-up-errors"
  alarm_description   = "spotrunner pool ${each.key}: the scale-up function failed an invocation"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value.scale_up_function_name }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "webhook_5xx" {
  count = var.alarms.enabled ? 1 : 0

  alarm_name          = "${var.prefix}-webhook-5xx"
  alarm_description   = "spotrunner webhook answered GitHub with a 5xx: deliveries failed (the sweeper redelivers them)"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = var.webhook_api_id }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

# Jobs dropped for a reason other than the normal ones (not_queued: GitHub says the job no longer
# waits; finished: the redrive found it done): malformed, invalid_name, wrong_pool, launch_failed.
# A Metrics Insights query, since the reasons are dimension values; each pool and reason is a
# contributor of its own.
resource "aws_cloudwatch_metric_alarm" "jobs_dropped" {
  count = var.alarms.enabled ? 1 : 0

  alarm_name          = "${var.prefix}-jobs-dropped"
  alarm_description   = "spotrunner: scale-up dropped a job for a reason other than not_queued or finished (the pool and reason are the contributor; docs/metrics.md)"
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "dropped"
    expression  = "SELECT SUM(${local.m.jobs_dropped.name}) FROM SCHEMA(\"${local.ns}\", ${join(", ", local.m.jobs_dropped.dimensions)}) WHERE reason != 'not_queued' AND reason != 'finished' GROUP BY ${join(", ", local.m.jobs_dropped.dimensions)}"
    period      = var.alarms.period_seconds
    return_data = true
    label       = "jobs dropped"
  }
}

# Points per minute of the busiest installation against GitHub's budget: a Metrics Insights query,
# since the installations (the github_key values) are known only at run time; each installation the
# query returns is a contributor of its own.
locals {
  github_budget_alarm_points = floor(var.github_points_per_minute_limit * var.alarms.github_budget_percent / 100)
}

resource "aws_cloudwatch_metric_alarm" "github_budget" {
  count = var.alarms.enabled ? 1 : 0

  alarm_name          = "${var.prefix}-github-budget"
  alarm_description   = "spotrunner: an installation spent over ${var.alarms.github_budget_percent} % of its ${var.github_points_per_minute_limit} GitHub points a minute; near 100 % calls wait or fail with GitHubLimited and jobs come back later (docs/github-app.md)"
  evaluation_periods  = 1
  threshold           = local.github_budget_alarm_points
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "points"
    expression  = "SELECT SUM(${local.m.github_points.name}) FROM SCHEMA(\"${local.ns}\", ${join(", ", local.m.github_points.dimensions)}) GROUP BY ${join(", ", local.m.github_points.dimensions)}"
    period      = 60
    return_data = true
    label       = "points per minute"
  }
}
