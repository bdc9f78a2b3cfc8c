variable "aws_region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "VPC the runners run in."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets the runners launch in (private subnets with a NAT are the usual choice)."
  type        = list(string)
}

variable "github_app_id" {
  description = "Id of your GitHub App (docs/github-app.md)."
  type        = string
  sensitive   = true
}

variable "github_app_key_base64" {
  description = "The App's private key PEM, base64-encoded: base64 -w0 app.private-key.pem."
  type        = string
  sensitive   = true
}

variable "webhook_secret" {
  description = "The webhook secret entered in the App settings: openssl rand -hex 32."
  type        = string
  sensitive   = true
}

variable "lambda_dir" {
  description = "Directory holding the three Lambda jars (./mvnw -B package -DskipTests builds them into each module's target/)."
  type        = string
  default     = null
}

variable "github_apps" {
  description = "More GitHub Apps after the first (the root module's github_apps): SSM parameter names of each App's id and key."
  type = list(object({
    id_parameter             = string
    key_parameter            = string
    webhook_secret_parameter = optional(string)
  }))
  default = []
}

variable "spot_interruptions" {
  description = "The root module's spot_interruptions (e.g. pools = { jit = { breaker_threshold = 0 } } switches the jit pool's spot breaker off)."
  type        = any
  default     = {}
}
