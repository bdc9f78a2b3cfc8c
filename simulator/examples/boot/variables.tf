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

variable "boot" {
  description = "The pool's boot path: install (packages and runner on every boot) or prebuilt (an image from images/)."
  type        = string
  default     = "install"
}

variable "ami_id" {
  description = "The image of a prebuilt pool (an AMI built from images/); null: the stock Amazon Linux 2023 image."
  type        = string
  default     = null
}

variable "os" {
  description = "The pool's operating system: amazon-linux-2023, ubuntu or windows (Windows Server 2022, x64)."
  type        = string
  default     = "amazon-linux-2023"
}
