variable "prefix" {
  description = "Name prefix of the deployment: the function's ENVIRONMENT."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "iam" {
  description = "Path and optional permissions boundary (policy ARN) of the function's IAM role."
  type = object({
    role_path            = optional(string, "/")
    permissions_boundary = optional(string)
  })
  default = {}
}

variable "kms_key_arn" {
  description = "KMS key encrypting the log group; null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
}

variable "lambda" {
  description = "What every function of the deployment shares: runtime (java21 or java25), CPU architecture (x86_64 or arm64), optional VPC placement (subnet and security group ids; null = none) and LOG_LEVEL. The root module builds it once from its lambda_* inputs."
  type = object({
    runtime      = string
    architecture = string
    vpc = object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    })
    log_level = string
  })
}

variable "lambda_zip" {
  description = "Path of the jar holding the handler."
  type        = string
}

variable "name" {
  description = "Function name; also names the log group (/aws/lambda/<name>)."
  type        = string
}

variable "description" {
  description = "Description of the function."
  type        = string
}

variable "handler" {
  description = "Handler, class::method (LambdaFunction.java)."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function in MB."
  type        = number
}

variable "timeout_seconds" {
  description = "Timeout of the function in seconds."
  type        = number
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the function; -1 leaves it unreserved."
  type        = number
  default     = -1
}

variable "snapstart" {
  description = "Publish a version with SnapStart on every change and point the `live` alias at it."
  type        = bool
  default     = false
}

variable "environment" {
  description = "The function's own environment variables, after ENVIRONMENT, LOG_LEVEL and JAVA_TOOL_OPTIONS, which every function gets."
  type        = map(string)
  default     = {}
}

variable "role_name" {
  description = "Name of the function's IAM role; null means <name>-role."
  type        = string
  default     = null
}

variable "policy_name" {
  description = "Name of the role's inline policy."
  type        = string
}

variable "policy_statements" {
  description = "IAM statements of the inline policy after the one that writes the function's log group (a list of statement objects; any, as statements differ in shape)."
  type        = any
  default     = []
}

variable "schedule" {
  description = "An EventBridge schedule invoking the function: expression (rate(…) or cron(…)), description, rule name (null = the function name) and the invoke permission's statement id; null for none."
  type = object({
    expression   = string
    description  = string
    name         = optional(string)
    statement_id = optional(string, "AllowEventBridgeInvoke")
  })
  default = null
}
