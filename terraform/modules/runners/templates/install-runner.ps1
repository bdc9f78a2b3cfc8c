<#
  spotrunner install script for Windows runner hosts: the Windows twin of install-runner.sh (bash does not run
  on a bare Windows). Two callers:
    - user_data of Windows `install` pools runs it on every boot (Git for Windows and the CloudWatch agent;
      start-runner.ps1 then fetches the runner from the S3 cache),
    - images/windows.pkr.hcl runs it once per AMI with -RunnerUrl/-RunnerSha256/-RunnerVersion, which also
      unpacks the runner at C:\actions-runner after checking its SHA-256 and records its version in
      C:\actions-runner\.spotrunner-runner-version, which start-runner.ps1 compares with the cached runner.
  Any failure throws (user_data then shuts the instance down; Packer fails the build). Dot-sourcing the script
  (the Pester tests) defines the functions and runs nothing.
#>
[CmdletBinding()]
param(
  [string] $RunnerUrl = '',
  [string] $RunnerSha256 = '',
  [string] $RunnerVersion = '',
  [string] $GitUrl = '',
  [string] $GitSha256 = '',
  [string] $RunnerDir = 'C:\actions-runner',
  [string] $DownloadDir = (Join-Path $env:TEMP 'spotrunner'),
  [string] $CloudWatchAgentUrl = 'https://s3.amazonaws.com/amazoncloudwatch-agent/windows/amd64/latest/amazon-cloudwatch-agent.msi'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$VersionFileName = '.spotrunner-runner-version'

function Write-InstallLog([string] $Message) {
  Write-Host ('{0} spotrunner-install: {1}' -f (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'), $Message)
}

# --- downloads and installers: thin wrappers, so the tests replace them ----------------------------------
function Save-Download([string] $Url, [string] $Path) {
  Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $Path
}

function Invoke-Installer([string] $FilePath, [string[]] $Arguments) {
  (Start-Process -FilePath $FilePath -ArgumentList $Arguments -Wait -PassThru).ExitCode
}

function Test-ValidSignature([string] $Path) {
  (Get-AuthenticodeSignature -LiteralPath $Path).Status -eq 'Valid'
}

# --- the steps ------------------------------------------------------------------------------------------
function Assert-InstallArguments {
  if (-not $GitUrl -or $GitSha256 -notmatch '^[0-9a-f]{64}$') {
    throw 'install-runner.ps1 needs Git for Windows: -GitUrl and a hex -GitSha256 (the pool''s or the image''s git_for_windows)'
  }
  if ($RunnerUrl -and ($RunnerVersion -notmatch '^[0-9]+\.[0-9]+\.[0-9]+$' -or $RunnerSha256 -notmatch '^[0-9a-f]{64}$')) {
    throw 'install-runner.ps1: -RunnerUrl needs -RunnerVersion (e.g. 2.330.0) and a hex -RunnerSha256'
  }
}

# An empty $Sha256 skips the comparison (the agent msi, checked by its signature instead).
function Get-VerifiedFile([string] $Url, [string] $Sha256, [string] $Path) {
  Save-Download -Url $Url -Path $Path
  $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant()
  if ($Sha256 -and $actual -ne $Sha256) {
    Remove-Item -LiteralPath $Path -Force
    throw "$Url has sha256 $actual, expected $Sha256"
  }
}

function Install-Git {
  $git = Join-Path $DownloadDir 'git-installer.exe'
  Get-VerifiedFile -Url $GitUrl -Sha256 $GitSha256 -Path $git
  $status = Invoke-Installer -FilePath $git -Arguments @('/VERYSILENT', '/NORESTART', '/NOCANCEL', '/SP-')
  if ($status -ne 0) { throw "Git for Windows installer failed ($status)" }
  Write-InstallLog 'Git for Windows installed'
}

function Install-CloudWatchAgent {
  # The agent's msi is published without a checksum; it is signed by Amazon.
  $agent = Join-Path $DownloadDir 'amazon-cloudwatch-agent.msi'
  Get-VerifiedFile -Url $CloudWatchAgentUrl -Sha256 '' -Path $agent
  if (-not (Test-ValidSignature -Path $agent)) { throw 'the CloudWatch agent msi is not validly signed' }
  $status = Invoke-Installer -FilePath 'msiexec.exe' -Arguments @('/i', $agent, '/qn')
  if ($status -ne 0) { throw "CloudWatch agent installer failed ($status)" }
  Write-InstallLog 'CloudWatch agent installed'
}

function Install-RunnerRelease {
  $zip = Join-Path $DownloadDir 'actions-runner.zip'
  Get-VerifiedFile -Url $RunnerUrl -Sha256 $RunnerSha256 -Path $zip
  if (Test-Path -LiteralPath $RunnerDir) { Remove-Item -LiteralPath $RunnerDir -Recurse -Force }
  Expand-Archive -LiteralPath $zip -DestinationPath $RunnerDir -Force
  Set-Content -LiteralPath (Join-Path $RunnerDir $VersionFileName) -Value $RunnerVersion -Encoding ASCII
  Write-InstallLog "runner $RunnerVersion unpacked into $RunnerDir"
}

function Install-Spotrunner {
  Assert-InstallArguments
  New-Item -ItemType Directory -Force -Path $DownloadDir | Out-Null
  try {
    Install-Git
    Install-CloudWatchAgent
    # Without -RunnerUrl (the install boot path) the start script fetches the runner from the S3 cache.
    if ($RunnerUrl) { Install-RunnerRelease }
  } finally {
    Remove-Item -LiteralPath $DownloadDir -Recurse -Force -ErrorAction SilentlyContinue
  }
  Write-InstallLog 'done'
}

if ($MyInvocation.InvocationName -ne '.') {
  Install-Spotrunner
}
