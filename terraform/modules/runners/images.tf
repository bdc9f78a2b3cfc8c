# Boot paths and images (docs/images.md): the pool's platform and runner key in the cache, its default AMI,
# and its user_data, rendered by ./boot (install or prebuilt boot path, Linux or Windows, or the pool's own
# template, or none).
locals {
  boot_windows    = var.pool.os == "windows"
  boot_platform   = "${local.boot_windows ? "win" : "linux"}-${var.pool.architecture}"
  boot_runner_key = "${var.runner_key_prefix}${local.boot_platform}.${local.boot_windows ? "zip" : "tar.gz"}"

  boot_ami_arch    = var.pool.architecture == "arm64" ? "arm64" : "x86_64"
  boot_ubuntu_arch = var.pool.architecture == "arm64" ? "arm64" : "amd64"
  boot_default_ami_parameter = {
    "amazon-linux-2023" = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${local.boot_ami_arch}"
    "ubuntu"            = "/aws/service/canonical/ubuntu/server/24.04/stable/current/${local.boot_ubuntu_arch}/hvm/ebs-gp3/ami-id"
    "windows"           = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base"
  }
  boot_ami_parameter = coalesce(var.pool.ami_ssm_parameter, local.boot_default_ami_parameter[var.pool.os])
  # A launch template resolves an SSM parameter at every launch, so new AMIs (and new prebuilt images published
  # under a parameter of your own) need no apply.
  boot_image_id    = var.pool.ami_id != null ? var.pool.ami_id : "resolve:ssm:${local.boot_ami_parameter}"
  boot_root_device = var.pool.os == "amazon-linux-2023" ? "/dev/xvda" : "/dev/sda1"

  user_data = module.boot.user_data

  # Scale-down's boot grace for this pool (BOOT_GRACE_MINUTES of its own scale-down function): a stock-AMI Windows
  # instance takes 15 minutes and more to bring its runner online (AWS, without Fast Launch), so Windows pools
  # get at least 20 unless the pool sets its own.
  boot_grace_minutes = coalesce(var.pool.boot_grace_minutes, local.boot_windows ? max(20, var.boot_grace_minutes) : var.boot_grace_minutes)
}

module "boot" {
  source = "./boot"

  os                  = var.pool.os
  boot                = var.pool.boot
  environment         = var.prefix
  pool                = var.pool.name
  ssm_config_path     = local.ssm_config_path
  bucket              = var.runner_bucket_name
  runner_key          = local.runner_key
  log_group           = aws_cloudwatch_log_group.runner.name
  pre_install_script  = var.pool.pre_install_script
  post_install_script = var.pool.post_install_script
  hooks               = var.pool.hooks
  git_for_windows     = var.pool.git_for_windows
  run_as              = var.pool.run_as
  work_dir            = var.pool.work_dir
  disable_update      = var.pool.disable_update
  user_data_template  = var.pool.user_data_template
  user_data_enabled   = var.pool.user_data_enabled
}
