variable "release_version" {
  description = "spotrunner release to download, e.g. 0.1.0 (the tag without the leading v)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+([-.][0-9A-Za-z.]+)?$", var.release_version))
    error_message = "release_version must look like 1.2.3 (no leading v)."
  }
}

variable "repository" {
  description = "GitHub repository (owner/name) publishing the spotrunner releases."
  type        = string
  default     = "spotrunner/spotrunner"
}

variable "github_url" {
  description = "GitHub web URL the release assets are downloaded from."
  type        = string
  default     = "https://github.com"
}

variable "directory" {
  description = "Directory the jars are written to; it is created when missing."
  type        = string
  default     = "lambdas"
}

variable "jar_sha256" {
  description = "Optional sha256 per jar (spotrunner-webhook.jar, spotrunner-runners.jar, spotrunner-binary-syncer.jar), pinned from a source you trust; each given jar must match it besides the release's SHA256SUMS."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for jar, sum in var.jar_sha256 :
    contains(["spotrunner-webhook.jar", "spotrunner-runners.jar", "spotrunner-binary-syncer.jar"], jar) && can(regex("^[0-9a-f]{64}$", sum))])
    error_message = "jar_sha256 maps a release jar name to its lowercase hex sha256."
  }
}
