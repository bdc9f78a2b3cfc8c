# Pool settings through the root module down to the resources they configure, applied with Terraform's mock
# AWS provider (no credentials, no network): run.sh runs this with
#   terraform -chdir=terraform test -test-directory=test/mocked
# A mocked apply, not a plan: the provider marks a function's whole environment unknown at plan time.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  # ARNs the provider validates: the mock's random strings are not ARNs.
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/ci" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/ci" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:ci" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:ci" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:eu-west-1:123456789012:function:ci"
      qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ci:1"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:ci/invocations"
    }
  }
  mock_resource "aws_lambda_alias" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:ci:live" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/ci" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::ci" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:ci" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:ci-alarms" }
  }
  mock_resource "aws_launch_template" {
    defaults = { arn = "arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-ci" }
  }
  mock_resource "aws_security_group" {
    defaults = { arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-ci" }
  }
}

variables {
  prefix     = "ci"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0"]
  # Only hashed (filebase64sha256): any file does.
  webhook_lambda_zip       = "test/mocked/pools.tftest.hcl"
  runners_lambda_zip       = "test/mocked/pools.tftest.hcl"
  binary_syncer_lambda_zip = "test/mocked/pools.tftest.hcl"
  github_app_parameters = {
    id              = "/ci/github/app-id"
    key             = "/ci/github/app-key"
    webhook_secrets = ["/ci/github/webhook-secret"]
  }
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  boot_grace_minutes = 6
  pools = [
    {
      name         = "linux"
      labels       = ["self-hosted", "linux", "x64"]
      extra_labels = ["ci-extra", "linux"]
    },
    {
      name   = "windows"
      labels = ["self-hosted", "windows", "x64"]
      os     = "windows"
      git_for_windows = {
        url    = "https://example.com/ci/Git-64-bit.exe"
        sha256 = "5f1e0c6a2b7d4e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b"
      }
    },
    {
      name               = "slow"
      labels             = ["self-hosted", "linux", "slow"]
      boot_grace_minutes = 30
    },
  ]
}

# run.sh reads the applied resources from `terraform test -json -verbose` (an assertion reaches only the
# root module's outputs, not the pools' nested resources) and checks them with mocked_pools.py.
run "applied" {
  command = apply
}
