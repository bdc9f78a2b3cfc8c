# Every App reaches the interruption function (environment and role), and its governor's points a
# minute are the set-aside the root module passes. Plan only, against a mocked AWS provider:
# terraform -chdir=terraform/modules/interruptions test (terraform/test/run.sh runs it).

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  prefix     = "ci"
  lambda     = { runtime = "java21", architecture = "x86_64", vpc = null, log_level = "INFO" }
  lambda_zip = "main.tf" # any file: the plan only hashes it
  pools = {
    linux = { rerun = true, max_reruns = 2, breaker_threshold = 3, breaker_window_minutes = 15, breaker_cooldown_minutes = 30 }
  }
  github_apps = [
    { id_parameter = "/ci/app-1/id", key_parameter = "/ci/app-1/key" },
    { id_parameter = "/ci/app-2/id", key_parameter = "/ci/app-2/key" },
  ]
}

run "two_apps_and_the_set_aside" {
  command = plan

  variables {
    github_points_per_minute = 120
  }

  assert {
    condition     = local.environment.GITHUB_APP_ID_PARAM == "/ci/app-1/id,/ci/app-2/id" && local.environment.GITHUB_APP_KEY_PARAM == "/ci/app-1/key,/ci/app-2/key"
    error_message = "every App's parameters, the first App first: ${local.environment.GITHUB_APP_ID_PARAM} / ${local.environment.GITHUB_APP_KEY_PARAM}"
  }
  assert {
    condition = toset(local.app_parameter_arns) == toset([
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-1/id",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-1/key",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-2/id",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-2/key",
    ])
    error_message = "the role must read each App's id and key parameter: ${jsonencode(local.app_parameter_arns)}"
  }
  assert {
    condition     = local.environment.GITHUB_POINTS_PER_MINUTE == "120"
    error_message = "the governor's points a minute must be the set-aside passed in: ${local.environment.GITHUB_POINTS_PER_MINUTE}"
  }
}

run "a_set_aside_below_a_check_and_a_rerun_is_refused" {
  command = plan

  variables {
    github_points_per_minute = 5
  }

  expect_failures = [var.github_points_per_minute]
}
