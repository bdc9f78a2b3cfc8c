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

variable "key_administrator_arns" {
  description = "IAM principals (roles or users) that administer the key: change its policy, rotate, schedule deletion. Empty means the principal running Terraform (its role, for an assumed role)."
  type        = list(string)
  default     = []
}

variable "create_service_linked_roles" {
  description = "Create the EC2 spot and EC2 Fleet service-linked roles the key policy names. Set false when the account has them already (aws iam get-role --role-name AWSServiceRoleForEC2Spot); a key policy naming a role that does not exist is refused."
  type        = bool
  default     = true
}
