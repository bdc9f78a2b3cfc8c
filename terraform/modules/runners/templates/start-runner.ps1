<#
  spotrunner start script for Windows Server 2022 runners: the PowerShell twin of start-runner.sh. Run by
  user_data (EC2Launch v2, as LocalSystem), it
    0. runs the pool's pre-install script,
    1. finds its instance id and region through IMDSv2; with the CloudWatch agent (install-runner.ps1 installs it), ships
       the user_data, runner and job logs to the pool's log group,
    2. boot `install`: downloads the runner zip from the S3 cache and verifies its SHA-256 against the object
       metadata; boot `prebuilt`: keeps the image's runner unless its version is older than the cached one (and
       when the cache cannot be read: the image's runner, or a shutdown when the image has none),
    3. polls SSM for its runner config <path>/<pool>/<instance-id>, reads it, deletes it,
    4. runs the post-install script, sets the job hooks, starts the runner: JIT (`run.cmd`, the JIT config in
       ACTIONS_RUNNER_INPUT_JITCONFIG) or registration (`config.cmd`, the token in ACTIONS_RUNNER_INPUT_TOKEN),
    5. ephemeral: shuts the instance down when the runner exits (the launch template terminates on shutdown).
  Any failure shuts the instance down. The runner config holds a token: it stays in variables, never on disk,
  in the log or on a command line (process-creation auditing records those); the runner reads it from its
  environment, which this script clears again once the command returns. Dot-sourcing the script (the Pester tests) defines the functions and runs nothing.
  AWS calls go through the AWS Tools for PowerShell that Amazon's Windows AMIs ship.
#>
[CmdletBinding()]
param(
  [string] $Pool = '',
  [string] $SsmConfigPath = '',
  [string] $Bucket = '',
  [string] $RunnerKey = '',
  [ValidateSet('install', 'prebuilt')] [string] $Boot = 'install',
  [string] $RunnerDir = 'C:\actions-runner',
  [string] $WorkDir = '',
  [bool] $DisableUpdate = $false,
  [string] $ScriptDir = 'C:\spotrunner',
  [string] $LogGroup = '',
  [string] $ImdsUrl = 'http://169.254.169.254',
  [int] $ConfigTimeoutSeconds = 600,
  [double] $PollSeconds = 5
)

$ErrorActionPreference = 'Stop'
$VersionFileName = '.spotrunner-runner-version'

# Log lines go to the host (and the user_data transcript), never the output stream: functions return values.
function Write-SpotrunnerLog([string] $Message) {
  Write-Host ('{0} spotrunner-start pool={1}: {2}' -f (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'), $Pool, $Message)
}

# --- AWS and the instance: thin wrappers, so the tests replace them ------------------------------------
function Get-InstanceIdentity([string] $Url) {
  $token = Invoke-RestMethod -Method Put -Uri "$Url/latest/api/token" -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }
  $headers = @{ 'X-aws-ec2-metadata-token' = $token }
  @{
    InstanceId = Invoke-RestMethod -Uri "$Url/latest/meta-data/instance-id" -Headers $headers
    Region     = Invoke-RestMethod -Uri "$Url/latest/meta-data/placement/region" -Headers $headers
  }
}

function Get-CachedRunnerMetadata([string] $BucketName, [string] $Key, [string] $Region) {
  $response = Get-S3ObjectMetadata -BucketName $BucketName -Key $Key -Region $Region
  @{ Sha256 = $response.Metadata['x-amz-meta-sha256']; Version = $response.Metadata['x-amz-meta-runner-version'] }
}

function Save-CachedRunner([string] $BucketName, [string] $Key, [string] $Region, [string] $Path) {
  Read-S3Object -BucketName $BucketName -Key $Key -Region $Region -File $Path | Out-Null
}

function Read-RunnerConfig([string] $Name, [string] $Region) {
  (Get-SSMParameter -Name $Name -WithDecryption $true -Region $Region).Value
}

function Remove-RunnerConfig([string] $Name, [string] $Region) {
  Remove-SSMParameter -Name $Name -Region $Region -Force | Out-Null
}

# $Secrets go to the command as environment variables (the runner reads ACTIONS_RUNNER_INPUT_<ARG> for any
# of its arguments), never as arguments: a command line is visible to other processes and to audit logs.
function Invoke-RunnerCommand([string] $Directory, [string] $Command, [string[]] $Arguments, [hashtable] $Secrets = @{}) {
  Push-Location $Directory
  try {
    foreach ($name in $Secrets.Keys) { [Environment]::SetEnvironmentVariable($name, $Secrets[$name], 'Process') }
    & (Join-Path $Directory $Command) @Arguments | Out-Host
    $LASTEXITCODE
  } finally {
    foreach ($name in $Secrets.Keys) { [Environment]::SetEnvironmentVariable($name, $null, 'Process') }
    Pop-Location
  }
}

function Start-LogShipping([string] $Group) {
  $ctl = Join-Path $env:ProgramFiles 'Amazon\AmazonCloudWatchAgent\amazon-cloudwatch-agent-ctl.ps1'
  if (-not $Group -or -not (Test-Path -LiteralPath $ctl)) { return }
  $streams = @(@((Join-Path $ScriptDir 'user-data.log'), 'user-data'), @((Join-Path $RunnerDir '_diag\Runner_*.log'), 'runner'),
    @((Join-Path $RunnerDir '_diag\Worker_*.log'), 'job'))
  $files = foreach ($s in $streams) { @{ file_path = $s[0]; log_group_name = $Group; log_stream_name = "{instance_id}/$($s[1])" } }
  $config = Join-Path $ScriptDir 'cloudwatch-agent.json'
  @{ logs = @{ logs_collected = @{ files = @{ collect_list = @($files) } } } } | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $config -Encoding ASCII
  & $ctl -a fetch-config -m ec2 -s -c "file:$config" | Out-Host
  Write-SpotrunnerLog "CloudWatch agent ships logs to $Group"
}

function Stop-Instance([string] $Reason) {
  Write-SpotrunnerLog "shutting down: $Reason"
  Stop-Computer -Force
}

# --- the steps ----------------------------------------------------------------------------------------
function Test-RunnerChecksum([string] $Path, [string] $Expected) {
  if ($Expected -notmatch '^[0-9a-f]{64}$') { return $false }
  (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant() -eq $Expected
}

function Test-ImageRunnerCurrent([string] $Directory, [string] $CachedVersion) {
  $file = Join-Path $Directory $VersionFileName
  if (-not (Test-Path -LiteralPath $file) -or -not (Test-Path -LiteralPath (Join-Path $Directory 'run.cmd'))) { return $false }
  $image = (Get-Content -LiteralPath $file -Raw).Trim()
  if (-not $CachedVersion) { return $true }
  [version] $image -ge [version] $CachedVersion
}

function Install-Runner([hashtable] $Identity) {
  try {
    $metadata = Get-CachedRunnerMetadata -BucketName $Bucket -Key $RunnerKey -Region $Identity.Region
  } catch {
    # Without the cache, only a runner already on a prebuilt image can start (the binary syncer may not have
    # cached one yet); without one, there is nothing to run.
    $reason = $_.Exception.Message
    if ($Boot -ne 'prebuilt' -or -not (Test-ImageRunnerCurrent -Directory $RunnerDir -CachedVersion '')) {
      throw "no runner: s3://$Bucket/$RunnerKey not readable ($reason) and the image has none"
    }
    $image = (Get-Content -LiteralPath (Join-Path $RunnerDir $VersionFileName) -Raw).Trim()
    Write-SpotrunnerLog "runner cache s3://$Bucket/$RunnerKey not readable ($reason); keeping the prebuilt image runner $image"
    return
  }
  if ($Boot -eq 'prebuilt' -and (Test-ImageRunnerCurrent -Directory $RunnerDir -CachedVersion $metadata.Version)) {
    Write-SpotrunnerLog "prebuilt image runner is current (cache: $($metadata.Version)); no download"
    return
  }
  New-Item -ItemType Directory -Force -Path $ScriptDir | Out-Null
  $zip = Join-Path $ScriptDir 'actions-runner.zip'
  Save-CachedRunner -BucketName $Bucket -Key $RunnerKey -Region $Identity.Region -Path $zip
  if (-not (Test-RunnerChecksum -Path $zip -Expected $metadata.Sha256)) {
    Remove-Item -LiteralPath $zip -Force
    throw "runner zip checksum mismatch: s3://$Bucket/$RunnerKey, metadata says '$($metadata.Sha256)'"
  }
  if (Test-Path -LiteralPath $RunnerDir) { Remove-Item -LiteralPath $RunnerDir -Recurse -Force }
  Expand-Archive -LiteralPath $zip -DestinationPath $RunnerDir -Force
  Remove-Item -LiteralPath $zip -Force
  Write-SpotrunnerLog "runner zip $($metadata.Version) verified (sha256) and unpacked into $RunnerDir"
}

function Wait-RunnerConfig([string] $Name, [string] $Region) {
  $deadline = (Get-Date).AddSeconds($ConfigTimeoutSeconds)
  while ($true) {
    try {
      return Read-RunnerConfig -Name $Name -Region $Region
    } catch {
      if ((Get-Date) -ge $deadline) {
        throw "runner config $Name did not appear within ${ConfigTimeoutSeconds}s: $($_.Exception.Message)"
      }
      Start-Sleep -Milliseconds ([int] ($PollSeconds * 1000))
    }
  }
}

function Set-JobHooks {
  foreach ($hook in @(@('ACTIONS_RUNNER_HOOK_JOB_STARTED', 'job-started.ps1'), @('ACTIONS_RUNNER_HOOK_JOB_COMPLETED', 'job-completed.ps1'))) {
    $path = Join-Path (Join-Path $ScriptDir 'hooks') $hook[1]
    if (Test-Path -LiteralPath $path) {
      Add-Content -LiteralPath (Join-Path $RunnerDir '.env') -Value "$($hook[0])=$path"
      Write-SpotrunnerLog "job hook $($hook[0]) is $path"
    }
  }
}

function Invoke-OptionalScript([string] $Name) {
  $path = Join-Path $ScriptDir $Name
  if (Test-Path -LiteralPath $path) {
    Write-SpotrunnerLog "running $Name"
    & $path | Out-Host
  }
}

# Returns the runner's exit code for ephemeral runners, $null for a persistent runner left running as a service.
function Start-Runner([string] $ConfigJson) {
  $config = $ConfigJson | ConvertFrom-Json
  if ($WorkDir) { New-Item -ItemType Directory -Force -Path $WorkDir | Out-Null }
  switch ($config.mode) {
    'jit' {
      if ($WorkDir) {
        $work = Join-Path $RunnerDir '_work'
        if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
        New-Item -ItemType Junction -Path $work -Target $WorkDir | Out-Null
      }
      Write-SpotrunnerLog "starting JIT runner $($config.runnerName)"
      return Invoke-RunnerCommand -Directory $RunnerDir -Command 'run.cmd' -Arguments @() `
        -Secrets @{ ACTIONS_RUNNER_INPUT_JITCONFIG = $config.jitConfig }
    }
    'registration' {
      $group = if ($config.runnerGroup) { $config.runnerGroup } else { 'Default' }
      $arguments = @('--unattended', '--url', $config.url, '--name', $config.runnerName,
        '--labels', $config.labels, '--runnergroup', $group, '--replace')
      if ($config.ephemeral) { $arguments += '--ephemeral' }
      if ($DisableUpdate) { $arguments += '--disableupdate' }
      if ($WorkDir) { $arguments += @('--work', $WorkDir) }
      if (-not $config.ephemeral) { $arguments += '--runasservice' }
      Write-SpotrunnerLog "registering runner $($config.runnerName) at $($config.url) (ephemeral: $($config.ephemeral))"
      $status = Invoke-RunnerCommand -Directory $RunnerDir -Command 'config.cmd' -Arguments $arguments `
        -Secrets @{ ACTIONS_RUNNER_INPUT_TOKEN = $config.token }
      if ($status -ne 0) { throw "config.cmd failed ($status)" }
      if (-not $config.ephemeral) { return $null }
      return Invoke-RunnerCommand -Directory $RunnerDir -Command 'run.cmd' -Arguments @()
    }
    default { throw "runner config has unknown mode '$($config.mode)'" }
  }
}

function Invoke-SpotrunnerStart {
  try {
    foreach ($required in 'Pool', 'SsmConfigPath', 'Bucket', 'RunnerKey') {
      if (-not (Get-Variable -Name $required -ValueOnly)) { throw "-$required is not set" }
    }
    Invoke-OptionalScript 'pre-install.ps1'
    $identity = Get-InstanceIdentity -Url $ImdsUrl
    Write-SpotrunnerLog "instance $($identity.InstanceId) in $($identity.Region)"
    Start-LogShipping -Group $LogGroup
    Install-Runner -Identity $identity
    $parameter = "$SsmConfigPath/$Pool/$($identity.InstanceId)"
    Write-SpotrunnerLog "waiting up to ${ConfigTimeoutSeconds}s for runner config $parameter"
    $config = Wait-RunnerConfig -Name $parameter -Region $identity.Region
    # Deleted before use: the config is single-use, and a leftover one is a live token at rest.
    Remove-RunnerConfig -Name $parameter -Region $identity.Region
    Write-SpotrunnerLog 'runner config read and deleted'
    Invoke-OptionalScript 'post-install.ps1'
    Set-JobHooks
    $status = Start-Runner -ConfigJson $config
    $config = $null
    if ($null -eq $status) {
      Write-SpotrunnerLog 'persistent runner started as a service'
      return 0
    }
    Stop-Instance "ephemeral runner exited ($status)"
    return $status
  } catch {
    Write-SpotrunnerLog "start script failed: $($_.Exception.Message)"
    Stop-Instance 'start script failed'
    return 1
  }
}

if ($MyInvocation.InvocationName -ne '.') {
  exit (Invoke-SpotrunnerStart)
}
