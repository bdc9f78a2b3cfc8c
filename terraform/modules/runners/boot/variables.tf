variable "os" {
  description = "Operating system of the pool's image: amazon-linux-2023, ubuntu or windows."
  type        = string
}

variable "boot" {
  description = "install: user_data installs packages (terraform/modules/runners/templates/install-runner.sh, install-runner.ps1 on Windows) and the runner on every boot; prebuilt: the image holds them (images/), user_data only writes the settings and starts the start script."
  type        = string
  default     = "install"
}

variable "git_for_windows" {
  description = "Windows `install` pools: the Git for Windows 64-bit installer (url, a release asset of git-for-windows/git) and its SHA-256, which install-runner.ps1 installs at every boot; null elsewhere."
  type = object({
    url    = string
    sha256 = string
  })
  default = null

  validation {
    condition     = var.git_for_windows == null || (can(regex("^https://[^'\\s]+$", var.git_for_windows.url)) && can(regex("^[0-9a-f]{64}$", var.git_for_windows.sha256)))
    error_message = "git_for_windows needs an https URL without quotes or spaces and a hex SHA-256."
  }
}

variable "environment" {
  description = "The deployment's prefix (ENVIRONMENT)."
  type        = string
}

variable "pool" {
  description = "Pool name."
  type        = string
}

variable "ssm_config_path" {
  description = "SSM path of the runner configs (<path>/<pool>/<instance-id>)."
  type        = string
}

variable "bucket" {
  description = "Bucket of the runner cache."
  type        = string
}

variable "runner_key" {
  description = "Object key of the pool's runner tarball (Linux) or zip (Windows) in the cache."
  type        = string
}

variable "log_group" {
  description = "CloudWatch log group the instance's CloudWatch agent ships to (Linux)."
  type        = string
}

variable "pre_install_script" {
  description = "Script run as root before the runner is installed (bash; PowerShell on Windows)."
  type        = string
  default     = ""
}

variable "post_install_script" {
  description = "Script run as root after the runner is installed, before it starts (bash; PowerShell on Windows)."
  type        = string
  default     = ""
}

variable "hooks" {
  description = "Job hooks: scripts the runner runs before (job_started) and after (job_completed) each job, as ACTIONS_RUNNER_HOOK_JOB_STARTED/_COMPLETED (bash; PowerShell on Windows)."
  type = object({
    job_started   = optional(string, "")
    job_completed = optional(string, "")
  })
  default = {}
}

variable "run_as" {
  description = "User the runner runs as (Linux; created when missing). Windows runners run as the user_data's account (LocalSystem)."
  type        = string
  default     = "runner"
}

variable "work_dir" {
  description = "Job work directory; empty keeps the runner's _work."
  type        = string
  default     = ""
}

variable "disable_update" {
  description = "Register with --disableupdate (registration mode; a JIT config carries GitHub's settings)."
  type        = bool
  default     = false
}

variable "user_data_template" {
  description = "Path of a custom user_data template, rendered with templatefile() and the variables listed in docs/images.md; null uses the built-in one."
  type        = string
  default     = null
}

variable "user_data_enabled" {
  description = "false: the launch template has no user_data (the image starts everything itself)."
  type        = bool
  default     = true
}
