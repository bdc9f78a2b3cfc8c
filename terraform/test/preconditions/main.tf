# The root module's preconditions and checks, planned against moto_server (terraform/test/run.sh): one
# module instance per case, one input changed in each, all in one plan (a plan's fixed cost is most of
# its time). Terraform reports every failed precondition of the plan, each with the instance it failed
# in, so each case's refusal is asserted by itself; the baseline case must draw none.
terraform {
  required_version = "~> 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 7.0"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    ec2 = var.endpoint
    iam = var.endpoint
    ssm = var.endpoint
    sts = var.endpoint
  }
}

variable "endpoint" {
  description = "moto_server's URL."
  type        = string
}

variable "lambda_dir" {
  description = "Directory of the three Lambda jars."
  type        = string
}

variable "webhook_secret" {
  description = "Generated at test time."
  type        = string
  sensitive   = true
}

variable "cases" {
  description = "One module instance per case (terraform/test/run.sh): its prefix, ssm_config_path, extra GitHub Apps and pools."
  type = map(object({
    prefix          = string
    ssm_config_path = optional(string, "")
    github_apps = optional(list(object({
      id_parameter             = string
      key_parameter            = string
      webhook_secret_parameter = optional(string)
    })), [])
    pools = optional(list(object({
      name         = string
      ephemeral    = optional(bool, true)
      runner_level = optional(string, "repo")
    })), [{ name = "linux-x64" }])
  }))
}

module "spotrunner" {
  source   = "../.."
  for_each = var.cases

  # a prefix per case: each message names its case's paths
  prefix     = each.value.prefix
  vpc_id     = "vpc-12345678"
  subnet_ids = ["subnet-12345678"]

  webhook_lambda_zip       = "${var.lambda_dir}/spotrunner-webhook.jar"
  runners_lambda_zip       = "${var.lambda_dir}/spotrunner-runners.jar"
  binary_syncer_lambda_zip = "${var.lambda_dir}/spotrunner-binary-syncer.jar"

  github_app = {
    id             = "12345"
    key            = base64encode("test key, not a key")
    webhook_secret = var.webhook_secret
  }
  github_apps     = each.value.github_apps
  ssm_config_path = each.value.ssm_config_path

  pools = [for pool in each.value.pools : {
    name           = pool.name
    labels         = ["self-hosted", "linux", "x64"]
    ephemeral      = pool.ephemeral
    use_jit_config = pool.ephemeral
    runner_level   = pool.runner_level
    ami_id         = "ami-12c6146b"
  }]
}
