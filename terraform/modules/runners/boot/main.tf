# Renders a pool's user_data: which template (built-in Linux or Windows, or the pool's own), which scripts it
# embeds (the install script only on the `install` boot path), and EC2's 16 KB user_data limit.
locals {
  templates = "${path.module}/../templates"
  windows   = var.os == "windows"
  builtin   = local.windows ? "${local.templates}/user-data.ps1.tftpl" : "${local.templates}/user-data.sh.tftpl"
  template  = coalesce(var.user_data_template, local.builtin)

  variables = {
    os                  = var.os
    boot                = var.boot
    environment         = var.environment
    pool                = var.pool
    ssm_config_path     = var.ssm_config_path
    bucket              = var.bucket
    runner_key          = var.runner_key
    log_group           = var.log_group
    run_as              = var.run_as
    work_dir            = var.work_dir
    disable_update      = var.disable_update
    pre_install_script  = var.pre_install_script
    post_install_script = var.post_install_script
    hook_job_started    = var.hooks.job_started
    hook_job_completed  = var.hooks.job_completed
    git_url             = var.git_for_windows == null ? "" : var.git_for_windows.url
    git_sha256          = var.git_for_windows == null ? "" : var.git_for_windows.sha256
    # Plain and gzipped+base64 (what the built-in templates embed); the install script only on the install path.
    install_script            = local.install_script
    install_script_base64gzip = local.install_script == "" ? "" : base64gzip(local.install_script)
    start_script              = local.start_script
    start_script_base64gzip   = base64gzip(local.start_script)
  }
  # The same files the Packer templates in images/ run: one install script per OS, two callers.
  install_script = var.boot != "install" ? "" : file(local.windows ? "${local.templates}/install-runner.ps1" : "${local.templates}/install-runner.sh")
  start_script   = file(local.windows ? "${local.templates}/start-runner.ps1" : "${local.templates}/start-runner.sh")
  rendered       = var.user_data_enabled ? templatefile(local.template, local.variables) : null

  # EC2 limits user_data to 16 KB before base64; Terraform's length() counts characters, base64 counts bytes.
  encoded = local.rendered == null ? "" : base64encode(local.rendered)
  bytes   = length(local.encoded) / 4 * 3 - length(replace(local.encoded, "/[^=]/", ""))
}
