# Every App reaches the sweeper: both in its environment (comma-separated, the first App first) and
# in its role (each App's id and key parameter). Plan only, against a mocked AWS provider:
# terraform -chdir=terraform/modules/sweeper test (terraform/test/run.sh runs it).

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
}

run "two_apps_are_both_swept_and_readable" {
  command = plan

  variables {
    github_apps = [
      { id_parameter = "/ci/app-1/id", key_parameter = "/ci/app-1/key" },
      { id_parameter = "ci/app-2/id", key_parameter = "ci/app-2/key" },
    ]
  }

  assert {
    condition     = local.environment.GITHUB_APP_ID_PARAM == "/ci/app-1/id,ci/app-2/id"
    error_message = "GITHUB_APP_ID_PARAM must list every App's id parameter, the first App first: ${local.environment.GITHUB_APP_ID_PARAM}"
  }
  assert {
    condition     = local.environment.GITHUB_APP_KEY_PARAM == "/ci/app-1/key,ci/app-2/key"
    error_message = "GITHUB_APP_KEY_PARAM must list every App's key parameter in the same order: ${local.environment.GITHUB_APP_KEY_PARAM}"
  }
  assert {
    condition = toset(local.app_parameter_arns) == toset([
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-1/id",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-1/key",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-2/id",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app-2/key",
    ])
    error_message = "the role must read each App's id and key parameter, nothing else: ${jsonencode(local.app_parameter_arns)}"
  }
}

run "one_app_is_a_list_of_one" {
  command = plan

  variables {
    github_apps = [{ id_parameter = "/ci/app/id", key_parameter = "/ci/app/key" }]
  }

  assert {
    condition     = local.environment.GITHUB_APP_ID_PARAM == "/ci/app/id" && local.environment.GITHUB_APP_KEY_PARAM == "/ci/app/key"
    error_message = "one App: its parameter names, no comma"
  }
  assert {
    condition     = length(local.app_parameter_arns) == 2
    error_message = "one App: its id and key parameter"
  }
}

run "no_app_is_refused" {
  command = plan

  variables {
    github_apps = []
  }

  expect_failures = [var.github_apps]
}
