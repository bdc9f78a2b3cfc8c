# examples/local's test variant (run.sh applies it against moto_server): its two default pools plus one per
# boot path of issue 17 — a prebuilt image, Ubuntu with hooks, run-as user, work directory and scripts,
# Windows Server 2022 (its AMI comes from the public Windows parameter in real AWS; moto gets a fixed id),
# and a pool without user_data. The ubuntu pool has Session Manager on: the IAM step shows its runner still reads
# no secret. run.sh also checks the applied functions for extra_labels (ubuntu) and the per-pool boot grace
# (prebuilt's own, Windows' default of at least 20, the others' examples/local value of 2).
pools = [
  {
    name           = "linux-x64"
    labels         = ["self-hosted", "linux", "x64"]
    priority       = 10
    default        = true
    instance_types = ["m5.large", "m5a.large"]
    max_count      = 3
    ami_id         = "ami-12c6146b"
    delay_seconds  = 0
  },
  {
    name           = "linux-arm64"
    labels         = ["self-hosted", "linux", "arm64"]
    priority       = 5
    architecture   = "arm64"
    instance_types = ["m6g.large"]
    max_count      = 2
    ami_id         = "ami-12c6146b"
    ephemeral      = false
    use_jit_config = false
    delay_seconds  = 0
  },
  {
    name           = "prebuilt"
    labels         = ["self-hosted", "linux", "x64", "prebuilt"]
    instance_types = ["m5.large"]
    max_count      = 2
    ami_id         = "ami-12c6146b"
    boot           = "prebuilt"
    delay_seconds  = 0
    # Its own boot grace, over the global boot_grace_minutes of examples/local (2).
    boot_grace_minutes = 9
  },
  {
    name                = "ubuntu"
    enable_ssm_session  = true
    labels              = ["self-hosted", "linux", "x64", "ubuntu"]
    instance_types      = ["m5.large"]
    max_count           = 2
    ami_id              = "ami-12c6146b"
    os                  = "ubuntu"
    extra_labels        = ["gpu-none", "ubuntu-24"]
    run_as              = "builder"
    work_dir            = "/mnt/work"
    disable_update      = true
    pre_install_script  = "mkdir -p /mnt/work"
    post_install_script = "echo post-install"
    hooks = {
      job_started   = "echo job started on $(hostname)"
      job_completed = "rm -rf \"$GITHUB_WORKSPACE\"/*"
    }
    delay_seconds = 0
  },
  {
    name           = "windows"
    labels         = ["self-hosted", "windows", "x64"]
    instance_types = ["m5.large"]
    max_count      = 2
    ami_id         = "ami-12c6146b"
    os             = "windows"
    delay_seconds  = 0
    # The install path installs Git for Windows at every boot; a made-up installer (nothing downloads it here).
    git_for_windows = {
      url    = "https://example.com/local/Git-64-bit.exe"
      sha256 = "5f1e0c6a2b7d4e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b"
    }
  },
  {
    name              = "no-user-data"
    labels            = ["self-hosted", "linux", "x64", "baked"]
    instance_types    = ["m5.large"]
    max_count         = 1
    ami_id            = "ami-12c6146b"
    boot              = "prebuilt"
    user_data_enabled = false
    delay_seconds     = 0
  },
]
