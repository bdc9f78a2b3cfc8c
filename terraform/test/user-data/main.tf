# Renders the user_data of every boot combination through the runners module's ./boot submodule, as the
# module does: OS (Amazon Linux 2023, Ubuntu, Windows) x boot path (install, prebuilt) x scripts (none, or
# pre/post-install and both job hooks), plus a custom template and user_data off. run.sh applies this (no
# provider, no resources), shellchecks the Linux ones and hands them to user-data.bats. `oversized = true`
# adds a pool whose scripts exceed EC2's 16 KB: the apply must fail.
variable "oversized" {
  type    = bool
  default = false
}

# `windows_without_git = true` adds a Windows install pool without git_for_windows: the apply must fail.
variable "windows_without_git" {
  type    = bool
  default = false
}

locals {
  scripts = {
    linux = {
      pre           = file("${path.module}/scripts/pre-install.sh")
      post          = file("${path.module}/scripts/post-install.sh")
      job_started   = file("${path.module}/scripts/job-started.sh")
      job_completed = file("${path.module}/scripts/job-completed.sh")
    }
    windows = {
      pre           = file("${path.module}/scripts/pre-install.ps1")
      post          = file("${path.module}/scripts/post-install.ps1")
      job_started   = file("${path.module}/scripts/job-started.ps1")
      job_completed = file("${path.module}/scripts/job-completed.ps1")
    }
  }
  none = { pre = "", post = "", job_started = "", job_completed = "" }

  combinations = merge(
    { for c in setproduct(["amazon-linux-2023", "ubuntu", "windows"], ["install", "prebuilt"], ["none", "scripts"]) : join("-", c) => {
      os      = c[0]
      boot    = c[1]
      scripts = c[2] == "none" ? local.none : local.scripts[c[0] == "windows" ? "windows" : "linux"]
      extra   = {}
    } },
    {
      custom = { os = "amazon-linux-2023", boot = "prebuilt", scripts = local.none, extra = { user_data_template = "${path.module}/custom.sh.tftpl" } }
      off    = { os = "ubuntu", boot = "prebuilt", scripts = local.none, extra = { user_data_enabled = false } }
    },
    var.windows_without_git ? {
      nogit = { os = "windows", boot = "install", scripts = local.none, extra = { git_for_windows = null } }
    } : {},
    var.oversized ? {
      oversized = { os = "amazon-linux-2023", boot = "install", scripts = merge(local.none, { pre = join("\n", [for i in range(600) : "echo line ${i} of a long pre-install script"]) }), extra = {} }
    } : {},
  )
}

module "boot" {
  source   = "../../modules/runners/boot"
  for_each = local.combinations

  os                  = each.value.os
  boot                = each.value.boot
  environment         = "ci"
  pool                = each.key
  ssm_config_path     = "/ci/runners"
  bucket              = "ci-runner-cache"
  runner_key          = each.value.os == "windows" ? "actions-runner/win-x64.zip" : "actions-runner/linux-x64.tar.gz"
  log_group           = "/ci/runners/${each.key}"
  pre_install_script  = each.value.scripts.pre
  post_install_script = each.value.scripts.post
  hooks               = { job_started = each.value.scripts.job_started, job_completed = each.value.scripts.job_completed }
  # A made-up installer: the rendered call is checked, nothing downloads it.
  git_for_windows    = lookup(each.value.extra, "git_for_windows", each.value.os == "windows" ? { url = "https://example.com/ci/Git-64-bit.exe", sha256 = sha256("ci git installer") } : null)
  run_as             = each.value.scripts.pre == "" ? "runner" : "builder"
  work_dir           = each.value.scripts.pre == "" ? "" : (each.value.os == "windows" ? "D:\\work" : "/mnt/work")
  disable_update     = each.value.scripts.pre != ""
  user_data_template = lookup(each.value.extra, "user_data_template", null)
  user_data_enabled  = lookup(each.value.extra, "user_data_enabled", true)
}

output "user_data" {
  value = { for name, boot in module.boot : name => boot.user_data }
}

output "bytes" {
  value = { for name, boot in module.boot : name => boot.bytes }
}
