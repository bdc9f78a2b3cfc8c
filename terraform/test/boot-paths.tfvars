# examples/local's test variant (run.sh applies it against moto_server): its two default pools plus one per
# boot path of issue 17 — a prebuilt image, Ubuntu with hooks, run-as user, work directory and scripts,
# Windows Server 2022 (its AMI comes from the public Windows parameter in real AWS; moto gets a fixed id),
# and a pool without user_data. The ubuntu pool has Session Manager on: the IAM step shows its runner still reads no secret.
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
  },
  {
    name                = "ubuntu"
    enable_ssm_session  = true
    labels              = ["self-hosted", "linux", "x64", "ubuntu"]
    instance_types      = ["m5.large"]
    max_count           = 2
    ami_id              = "ami-12c6146b"
    os                  = "ubuntu"
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
