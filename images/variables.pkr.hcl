variable "region" {
  type        = string
  description = "Region the images are built in (copy them with ami_regions for more)."
  default     = "eu-west-1"
}

variable "ami_regions" {
  type        = list(string)
  description = "Further regions the finished AMIs are copied to."
  default     = []
}

variable "runner_version" {
  type        = string
  description = "actions/runner version baked into the images, e.g. 2.330.0. Pin the same version in Terraform's runner_version: a cached runner newer than the image's is downloaded at boot."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.runner_version))
    error_message = "The runner_version must be a version such as 2.330.0."
  }
}

variable "runner_sha256" {
  type        = map(string)
  description = "SHA-256 of each runner asset of that release (the release notes list them), keyed by platform: linux-x64, linux-arm64, win-x64."

  validation {
    condition     = alltrue([for k, v in var.runner_sha256 : contains(["linux-x64", "linux-arm64", "win-x64"], k) && can(regex("^[0-9a-f]{64}$", v))])
    error_message = "The runner_sha256 keys must be linux-x64, linux-arm64 or win-x64, each a hex SHA-256."
  }
}

variable "git_for_windows" {
  type = object({
    url    = string
    sha256 = string
  })
  description = "The Git for Windows 64-bit installer baked into the Windows image (a release asset of git-for-windows/git) and its SHA-256; required by the windows build only."
  default     = null
}

variable "subnet_id" {
  type        = string
  description = "Subnet of the build instances (null: the default VPC)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags of the AMIs and their snapshots."
  default     = {}
}
