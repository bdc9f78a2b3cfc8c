variable "endpoint" {
  description = "URL of the AWS emulator, e.g. http://127.0.0.1:5000 for moto_server."
  type        = string
  default     = "http://127.0.0.1:5000"
}

variable "aws_region" {
  description = "Region the emulator serves."
  type        = string
  default     = "us-east-1"
}

variable "prefix" {
  description = "Prefix of the local deployment."
  type        = string
  default     = "local"
}

variable "github_app_id" {
  description = "GitHub App id of the GitHub stand-in."
  type        = string
  default     = "12345"
}

variable "github_app_key_base64" {
  description = "Private key PEM (base64) of the stand-in's App, generated at test time."
  type        = string
  sensitive   = true
}

variable "webhook_secret" {
  description = "Webhook secret, generated at test time."
  type        = string
  sensitive   = true
}

variable "github_enterprise_server_url" {
  description = "Web URL of the GitHub stand-in, used as a GitHub Enterprise Server (API at <url>/api/v3); null for github.com."
  type        = string
  default     = null
}

variable "lambda_snapstart" {
  description = "SnapStart on webhook and scale-up (emulators accept but do not snapshot)."
  type        = bool
  default     = true
}

variable "lambda_dir" {
  description = "Directory holding the three Lambda jars; null uses the Maven build output of this repository."
  type        = string
  default     = null
}
