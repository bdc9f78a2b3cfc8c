terraform {
  required_version = "~> 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 7.0"
    }
  }
}

# Every service the module uses, pointed at one emulator endpoint (moto_server or LocalStack).
provider "aws" {
  region                      = var.aws_region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2     = var.endpoint
    cloudwatch       = var.endpoint
    cloudwatchevents = var.endpoint
    cloudwatchlogs   = var.endpoint
    ec2              = var.endpoint
    iam              = var.endpoint
    kms              = var.endpoint
    lambda           = var.endpoint
    s3               = var.endpoint
    sns              = var.endpoint
    sqs              = var.endpoint
    ssm              = var.endpoint
    sts              = var.endpoint
  }
}
