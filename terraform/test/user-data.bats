#!/usr/bin/env bats
# The user_data of every boot combination, rendered by run.sh through the runners module's ./boot submodule
# (terraform/test/user-data): RENDERED_DIR holds <combination>.user-data and bytes.json.

bats_require_minimum_version 1.5.0

setup() {
  [ -n "${RENDERED_DIR:-}" ] || skip "RENDERED_DIR is not set: run terraform/test/run.sh"
  TEMPLATES="$BATS_TEST_DIRNAME/../modules/runners/templates"
  INSTALL_SCRIPT="$BATS_TEST_DIRNAME/../modules/runners/templates/install-runner.sh"
}

# The script a Linux user_data unpacks from the heredoc named $2.
embedded() { sed -n "/<<'$2'/,/^$2\$/p" "$RENDERED_DIR/$1.user-data" | sed '1d;$d' | base64 -d | gunzip; }
# The script a Windows user_data unpacks to C:\spotrunner\$2 (default: start-runner.ps1).
embedded_ps1() {
  sed -n "s/^ *Expand-SpotrunnerScript 'C:\\\\spotrunner\\\\${2:-start-runner.ps1}' '\([^']*\)'\$/\1/p" "$RENDERED_DIR/$1.user-data" | base64 -d | gunzip
}
# The line number of the first line of file $1 holding the fixed string $2 (empty when none does).
line_of() { grep -nF -e "$2" "$1" | head -n 1 | cut -d : -f 1; }

@test "every combination renders, and each stays under EC2's 16 KB user_data limit" {
  count=0
  for file in "$RENDERED_DIR"/*.user-data; do
    size=$(wc -c <"$file")
    echo "$(basename "$file"): $size bytes"
    [ "$size" -le 16384 ]
    count=$((count + 1))
  done
  [ "$count" -eq 13 ]
  # The module's own count (the precondition's input) agrees with the bytes on disk.
  for file in "$RENDERED_DIR"/*.user-data; do
    name=$(basename "$file" .user-data)
    [ "$(jq -r --arg n "$name" '.[$n]' "$RENDERED_DIR/bytes.json")" -eq "$(wc -c <"$file")" ]
  done
}

@test "user_data off: the pool has none" {
  [ ! -e "$RENDERED_DIR/off.user-data" ]
  [ "$(jq -r '.off' "$RENDERED_DIR/bytes.json")" -eq 0 ]
}

@test "install path: user_data carries the install script and runs it before the start script" {
  for os in amazon-linux-2023 ubuntu; do
    for scripts in none scripts; do
      name=$os-install-$scripts
      cmp <(embedded "$name" SPOTRUNNER_INSTALL_SCRIPT) "$INSTALL_SCRIPT"
      cmp <(embedded "$name" SPOTRUNNER_START_SCRIPT) "$TEMPLATES/start-runner.sh"
      install_line=$(grep -n '^/opt/spotrunner/install-runner.sh$' "$RENDERED_DIR/$name.user-data" | cut -d : -f 1)
      start_line=$(grep -n '^exec /opt/spotrunner/start-runner.sh$' "$RENDERED_DIR/$name.user-data" | cut -d : -f 1)
      [ "$install_line" -lt "$start_line" ]
      grep -qx "SPOTRUNNER_BOOT='install'" "$RENDERED_DIR/$name.user-data"
    done
  done
}

@test "prebuilt path: no install script, no package manager; only settings and the start script" {
  for os in amazon-linux-2023 ubuntu; do
    for scripts in none scripts; do
      name=$os-prebuilt-$scripts
      run ! grep -Eq 'install-runner|SPOTRUNNER_INSTALL_SCRIPT|dnf |apt-get ' "$RENDERED_DIR/$name.user-data"
      cmp <(embedded "$name" SPOTRUNNER_START_SCRIPT) "$TEMPLATES/start-runner.sh"
      grep -qx "SPOTRUNNER_BOOT='prebuilt'" "$RENDERED_DIR/$name.user-data"
    done
  done
}

@test "runner settings reach the start script's environment file" {
  file="$RENDERED_DIR/ubuntu-install-scripts.user-data"
  grep -qx "SPOTRUNNER_RUNNER_USER='builder'" "$file"
  grep -qx "SPOTRUNNER_RUNNER_WORK_DIR='/mnt/work'" "$file"
  grep -qx "SPOTRUNNER_DISABLE_UPDATE='true'" "$file"
  grep -qx "SPOTRUNNER_LOG_GROUP='/ci/runners/ubuntu-install-scripts'" "$file"
  file="$RENDERED_DIR/ubuntu-install-none.user-data"
  grep -qx "SPOTRUNNER_RUNNER_USER='runner'" "$file"
  grep -qx "SPOTRUNNER_DISABLE_UPDATE='false'" "$file"
}

@test "scripts and hooks are written where the start script looks for them, only when the pool has them" {
  file="$RENDERED_DIR/amazon-linux-2023-prebuilt-scripts.user-data"
  for path in pre-install post-install hooks/job-started hooks/job-completed; do
    grep -qx "cat > /opt/spotrunner/$path.sh <<'SPOTRUNNER_SCRIPT'" "$file"
    grep -qx "chmod 0755 /opt/spotrunner/$path.sh" "$file"
  done
  grep -q "/opt/spotrunner/pre-install.sh}" "$TEMPLATES/start-runner.sh"
  grep -q "/opt/spotrunner/post-install.sh}" "$TEMPLATES/start-runner.sh"
  grep -q "/opt/spotrunner/hooks/job-started.sh}" "$TEMPLATES/start-runner.sh"
  grep -q "/opt/spotrunner/hooks/job-completed.sh}" "$TEMPLATES/start-runner.sh"
  run ! grep -q "SPOTRUNNER_SCRIPT" "$RENDERED_DIR/amazon-linux-2023-prebuilt-none.user-data"
}

@test "a custom template replaces the built-in one" {
  file="$RENDERED_DIR/custom.user-data"
  grep -qx 'echo "custom boot of custom (prebuilt) on amazon-linux-2023"' "$file"
  run ! grep -q "runner.env" "$file"
  cmp <(embedded custom SPOTRUNNER_START_SCRIPT) "$TEMPLATES/start-runner.sh"
}

# --- Windows: PowerShell does not run here; the rendered script is checked for its contract ----------------

@test "windows: PowerShell user_data embeds start-runner.ps1 unchanged" {
  for name in windows-install-none windows-install-scripts windows-prebuilt-none windows-prebuilt-scripts; do
    file="$RENDERED_DIR/$name.user-data"
    [ "$(head -n 1 "$file")" = "<powershell>" ]
    [ "$(tail -n 1 "$file")" = "</powershell>" ]
    cmp <(embedded_ps1 "$name") "$TEMPLATES/start-runner.ps1"
  done
}

@test "windows install path: user_data runs the install script the Packer template runs, before the start script" {
  # One script, two callers: images/windows.pkr.hcl uploads this very file, and no copy is left in images/.
  grep -qF 'source      = "${path.root}/../terraform/modules/runners/templates/install-runner.ps1"' "$BATS_TEST_DIRNAME/../../images/windows.pkr.hcl"
  [ ! -e "$BATS_TEST_DIRNAME/../../images/install-runner.ps1" ]
  declared=$(sed -n '/^param(/,/^)/p' "$TEMPLATES/install-runner.ps1" | grep -o '\$[A-Za-z]*' | tr -d '$' | sort -u)
  for scripts in none scripts; do
    name=windows-install-$scripts
    file="$RENDERED_DIR/$name.user-data"
    cmp <(embedded_ps1 "$name" install-runner.ps1) "$TEMPLATES/install-runner.ps1"
    call=$(grep -F "& 'C:\spotrunner\install-runner.ps1'" "$file")
    # The pool's Git for Windows installer (terraform/test/user-data/main.tf), no runner arguments: the start
    # script fetches the runner from the S3 cache.
    [ "$call" = "  & 'C:\spotrunner\install-runner.ps1' -GitUrl 'https://example.com/ci/Git-64-bit.exe' -GitSha256 '$(printf '%s' 'ci git installer' | sha256sum | cut -d ' ' -f 1)'" ]
    passed=$(grep -o ' -[A-Z][A-Za-z]*' <<<"$call" | tr -d ' -' | sort -u)
    [ -z "$(comm -23 <(echo "$passed") <(echo "$declared"))" ]
    unpack_line=$(line_of "$file" "Expand-SpotrunnerScript 'C:\spotrunner\install-runner.ps1'")
    install_line=$(line_of "$file" "& 'C:\spotrunner\install-runner.ps1'")
    start_line=$(line_of "$file" "& 'C:\spotrunner\start-runner.ps1'")
    [ -n "$unpack_line" ]
    [ -n "$install_line" ]
    [ -n "$start_line" ]
    [ "$unpack_line" -lt "$install_line" ]
    [ "$install_line" -lt "$start_line" ]
  done
  # The install script throws on any failure; the user_data's catch shuts the instance down.
  grep -qF 'Stop-Computer -Force' "$RENDERED_DIR/windows-install-none.user-data"
}

@test "windows prebuilt path: no install script in user_data" {
  for scripts in none scripts; do
    run ! grep -q "install-runner" "$RENDERED_DIR/windows-prebuilt-$scripts.user-data"
  done
}

@test "windows: every argument user_data passes is a parameter of start-runner.ps1, with the pool's values" {
  file="$RENDERED_DIR/windows-prebuilt-scripts.user-data"
  call=$(grep "& 'C:\\\\spotrunner\\\\start-runner.ps1'" "$file")
  declared=$(sed -n '/^param(/,/^)/p' "$TEMPLATES/start-runner.ps1" | grep -o '\$[A-Za-z]*' | tr -d '$' | sort -u)
  passed=$(grep -o ' -[A-Z][A-Za-z]*' <<<"$call" | tr -d ' -' | sort -u)
  [ -n "$passed" ]
  [ -z "$(comm -23 <(echo "$passed") <(echo "$declared"))" ]
  [[ "$call" == *"-Pool 'windows-prebuilt-scripts'"* ]]
  [[ "$call" == *"-SsmConfigPath '/ci/runners'"* ]]
  [[ "$call" == *"-Bucket 'ci-runner-cache'"* ]]
  [[ "$call" == *"-RunnerKey 'actions-runner/win-x64.zip'"* ]]
  [[ "$call" == *"-Boot 'prebuilt'"* ]]
  [[ "$call" == *"-WorkDir 'D:\\work'"* ]]
  [[ "$call" == *'-DisableUpdate $true'* ]]
}

@test "windows: scripts and hooks land at the paths start-runner.ps1 reads" {
  file="$RENDERED_DIR/windows-install-scripts.user-data"
  for name in 'pre-install' 'post-install' 'hooks\job-started' 'hooks\job-completed'; do
    grep -qF "Set-Content -LiteralPath 'C:\\spotrunner\\$name.ps1'" "$file"
  done
  grep -qF "Invoke-OptionalScript 'pre-install.ps1'" "$TEMPLATES/start-runner.ps1"
  grep -qF "Invoke-OptionalScript 'post-install.ps1'" "$TEMPLATES/start-runner.ps1"
  grep -qF "'ACTIONS_RUNNER_HOOK_JOB_STARTED', 'job-started.ps1'" "$TEMPLATES/start-runner.ps1"
  grep -qF "'ACTIONS_RUNNER_HOOK_JOB_COMPLETED', 'job-completed.ps1'" "$TEMPLATES/start-runner.ps1"
  grep -qF "[string] \$ScriptDir = 'C:\\spotrunner'" "$TEMPLATES/start-runner.ps1"
}

@test "windows: start-runner.ps1 keeps the Linux script's contract (IMDSv2, checksum, read+delete, shutdown)" {
  script=$(embedded_ps1 windows-install-none)
  [[ "$script" == *'Invoke-RestMethod -Method Put -Uri "$Url/latest/api/token" -Headers @{ '"'X-aws-ec2-metadata-token-ttl-seconds'"* ]]
  [[ "$script" == *"'X-aws-ec2-metadata-token' = \$token"* ]]
  [[ "$script" == *"Get-FileHash -Algorithm SHA256"* ]]
  [[ "$script" == *"\$response.Metadata['x-amz-meta-sha256']"* ]]
  [[ "$script" == *"'^[0-9a-f]{64}\$'"* ]]
  [[ "$script" == *'Get-SSMParameter -Name $Name -WithDecryption $true'* ]]
  [[ "$script" == *'Remove-SSMParameter -Name $Name'* ]]
  [[ "$script" == *"Stop-Computer -Force"* ]]
  # Read, delete, then run: the deletion comes before the runner starts in the main sequence.
  main=$(sed -n '/^function Invoke-SpotrunnerStart/,/^}/p' <<<"$script")
  wait_line=$(grep -n 'Wait-RunnerConfig' <<<"$main" | cut -d : -f 1)
  delete_line=$(grep -n 'Remove-RunnerConfig' <<<"$main" | cut -d : -f 1)
  start_line=$(grep -n 'Start-Runner -ConfigJson' <<<"$main" | cut -d : -f 1)
  # Separate assertions: under set -e only a test's last command may fail through `&&`.
  [ -n "$wait_line" ]
  [ -n "$delete_line" ]
  [ -n "$start_line" ]
  [ "$wait_line" -lt "$delete_line" ]
  [ "$delete_line" -lt "$start_line" ]
  grep -q 'Stop-Instance' <<<"$main"
}

@test "windows: the rendered script puts no JIT config or registration token on a command line" {
  for name in windows-install-none windows-install-scripts windows-prebuilt-none windows-prebuilt-scripts; do
    script=$(embedded_ps1 "$name")
    # The secrets are used only as ACTIONS_RUNNER_INPUT_* values handed to Invoke-RunnerCommand -Secrets...
    grep -qF -e '-Secrets @{ ACTIONS_RUNNER_INPUT_JITCONFIG = $config.jitConfig }' <<<"$script"
    grep -qF -e '-Secrets @{ ACTIONS_RUNNER_INPUT_TOKEN = $config.token }' <<<"$script"
    run ! grep -nE '\$config\.(jitConfig|token)' < <(grep -v 'ACTIONS_RUNNER_INPUT_' <<<"$script")
    # ...never as the runner's --jitconfig / --token arguments...
    run ! grep -nE "'--(jitconfig|token)'" <<<"$script"
    # ...and the wrapper sets them in the process environment and clears them when the command returns.
    wrapper=$(sed -n '/^function Invoke-RunnerCommand/,/^}/p' <<<"$script")
    grep -qF "[Environment]::SetEnvironmentVariable(\$name, \$Secrets[\$name], 'Process')" <<<"$wrapper"
    grep -qF "[Environment]::SetEnvironmentVariable(\$name, \$null, 'Process')" <<<"$(sed -n '/finally/,/^  }/p' <<<"$wrapper")"
  done
}
