# Prebuilt Windows Server 2022 runner image for `boot = "prebuilt"` Windows pools: Git, the CloudWatch agent
# and the runner at C:\actions-runner (its version in C:\actions-runner\.spotrunner-runner-version), installed
# by terraform/modules/runners/templates/install-runner.ps1 — the same script the user_data of Windows `install`
# pools runs (there without the runner arguments), the Windows twin of install-runner.sh.
# EC2Launch v2 is reset at the end, so instances from the image run their own user_data.
locals {
  windows_git        = var.git_for_windows == null ? { url = "", sha256 = "" } : var.git_for_windows
  windows_runner_url = "https://github.com/actions/runner/releases/download/v${var.runner_version}/actions-runner-win-x64-${var.runner_version}.zip"
}

source "amazon-ebs" "windows" {
  region         = var.region
  ami_regions    = var.ami_regions
  subnet_id      = var.subnet_id
  ami_name       = "spotrunner-windows-2022-x64-runner-${var.runner_version}-${local.timestamp}"
  instance_type  = "m7a.large"
  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "20m"
  user_data_file = "${path.root}/windows/bootstrap-winrm.ps1"
  imds_support   = "v2.0"

  source_ami_filter {
    filters = {
      name                = "Windows_Server-2022-English-Full-Base-*"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["amazon"]
    most_recent = true
  }

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = 50
    volume_type           = "gp3"
    delete_on_termination = true
  }

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  tags          = merge(var.tags, { "spotrunner:runner-version" = var.runner_version })
  snapshot_tags = var.tags
}

build {
  name    = "windows"
  sources = ["source.amazon-ebs.windows"]

  provisioner "file" {
    source      = "${path.root}/../terraform/modules/runners/templates/install-runner.ps1"
    destination = "C:\\Windows\\Temp\\install-runner.ps1"
  }

  provisioner "powershell" {
    inline = [
      "& C:\\Windows\\Temp\\install-runner.ps1 -RunnerUrl '${local.windows_runner_url}' -RunnerSha256 '${var.runner_sha256["win-x64"]}' -RunnerVersion '${var.runner_version}' -GitUrl '${local.windows_git.url}' -GitSha256 '${local.windows_git.sha256}'",
      "Remove-Item C:\\Windows\\Temp\\install-runner.ps1",
    ]
  }

  # EC2Launch v2 forgets this instance: the next one runs its own user_data again.
  provisioner "powershell" {
    inline = ["& \"$Env:ProgramFiles\\Amazon\\EC2Launch\\EC2Launch.exe\" reset --block"]
  }

  post-processor "manifest" {
    output     = "packer-manifest.json"
    strip_path = true
  }
}
