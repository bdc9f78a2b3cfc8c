# Prebuilt Linux runner images for `boot = "prebuilt"` pools: Amazon Linux 2023 and Ubuntu 24.04, x64 and
# arm64. Each runs terraform/modules/runners/templates/install-runner.sh — the same script user_data runs on `install` pools — with the
# runner release, so the AMI holds docker, git, the CloudWatch agent and the runner at /opt/actions-runner
# (its version in /opt/actions-runner/.spotrunner-runner-version). docs/images.md explains building and using them.
packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.3.0"
    }
  }
}

locals {
  timestamp = formatdate("YYYYMMDDhhmm", timestamp())
  linux = {
    "al2023-x64"   = { name = "al2023-ami-2023.*-kernel-6.1-x86_64", owner = "amazon", user = "ec2-user", type = "m7a.large", platform = "linux-x64", device = "/dev/xvda" }
    "al2023-arm64" = { name = "al2023-ami-2023.*-kernel-6.1-arm64", owner = "amazon", user = "ec2-user", type = "m7g.large", platform = "linux-arm64", device = "/dev/xvda" }
    "ubuntu-x64"   = { name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*", owner = "099720109477", user = "ubuntu", type = "m7a.large", platform = "linux-x64", device = "/dev/sda1" }
    "ubuntu-arm64" = { name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*", owner = "099720109477", user = "ubuntu", type = "m7g.large", platform = "linux-arm64", device = "/dev/sda1" }
  }
}

source "amazon-ebs" "linux" {
  region       = var.region
  ami_regions  = var.ami_regions
  subnet_id    = var.subnet_id
  ssh_timeout  = "10m"
  communicator = "ssh"
  imds_support = "v2.0"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  tags          = merge(var.tags, { "spotrunner:runner-version" = var.runner_version })
  snapshot_tags = var.tags
}

build {
  name = "linux"

  source "amazon-ebs.linux" {
    name          = "al2023-x64"
    ami_name      = "spotrunner-al2023-x64-runner-${var.runner_version}-${local.timestamp}"
    instance_type = local.linux["al2023-x64"].type
    ssh_username  = local.linux["al2023-x64"].user
    source_ami_filter {
      filters = {
        name                = local.linux["al2023-x64"].name
        virtualization-type = "hvm"
        root-device-type    = "ebs"
      }
      owners      = [local.linux["al2023-x64"].owner]
      most_recent = true
    }
    launch_block_device_mappings {
      device_name           = local.linux["al2023-x64"].device
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  source "amazon-ebs.linux" {
    name          = "al2023-arm64"
    ami_name      = "spotrunner-al2023-arm64-runner-${var.runner_version}-${local.timestamp}"
    instance_type = local.linux["al2023-arm64"].type
    ssh_username  = local.linux["al2023-arm64"].user
    source_ami_filter {
      filters = {
        name                = local.linux["al2023-arm64"].name
        virtualization-type = "hvm"
        root-device-type    = "ebs"
      }
      owners      = [local.linux["al2023-arm64"].owner]
      most_recent = true
    }
    launch_block_device_mappings {
      device_name           = local.linux["al2023-arm64"].device
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  source "amazon-ebs.linux" {
    name          = "ubuntu-x64"
    ami_name      = "spotrunner-ubuntu-x64-runner-${var.runner_version}-${local.timestamp}"
    instance_type = local.linux["ubuntu-x64"].type
    ssh_username  = local.linux["ubuntu-x64"].user
    source_ami_filter {
      filters = {
        name                = local.linux["ubuntu-x64"].name
        virtualization-type = "hvm"
        root-device-type    = "ebs"
      }
      owners      = [local.linux["ubuntu-x64"].owner]
      most_recent = true
    }
    launch_block_device_mappings {
      device_name           = local.linux["ubuntu-x64"].device
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  source "amazon-ebs.linux" {
    name          = "ubuntu-arm64"
    ami_name      = "spotrunner-ubuntu-arm64-runner-${var.runner_version}-${local.timestamp}"
    instance_type = local.linux["ubuntu-arm64"].type
    ssh_username  = local.linux["ubuntu-arm64"].user
    source_ami_filter {
      filters = {
        name                = local.linux["ubuntu-arm64"].name
        virtualization-type = "hvm"
        root-device-type    = "ebs"
      }
      owners      = [local.linux["ubuntu-arm64"].owner]
      most_recent = true
    }
    launch_block_device_mappings {
      device_name           = local.linux["ubuntu-arm64"].device
      volume_size           = 30
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  provisioner "file" {
    source      = "${path.root}/../terraform/modules/runners/templates/install-runner.sh"
    destination = "/tmp/install-runner.sh"
  }

  provisioner "shell" {
    inline = [
      "sudo bash /tmp/install-runner.sh --runner-version ${var.runner_version} --runner-sha256 ${var.runner_sha256[local.linux[source.name].platform]} --runner-url https://github.com/actions/runner/releases/download/v${var.runner_version}/actions-runner-${local.linux[source.name].platform}-${var.runner_version}.tar.gz",
      "rm -f /tmp/install-runner.sh",
      # New instances must run their own user_data: forget this build instance's cloud-init state.
      "sudo cloud-init clean --logs",
    ]
  }

  post-processor "manifest" {
    output     = "packer-manifest.json"
    strip_path = true
  }
}
