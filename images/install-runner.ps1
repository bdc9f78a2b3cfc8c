<#
  spotrunner install script for Windows images: the Windows twin of install-runner.sh, run by windows.pkr.hcl.
  Installs Git for Windows and the CloudWatch agent, unpacks the runner release at C:\actions-runner after
  checking its SHA-256, and records its version in C:\actions-runner\.spotrunner-runner-version, which
  start-runner.ps1 compares with the cached runner on `prebuilt` pools.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory)] [string] $RunnerUrl,
  [Parameter(Mandatory)] [ValidatePattern('^[0-9a-f]{64}$')] [string] $RunnerSha256,
  [Parameter(Mandatory)] [ValidatePattern('^[0-9]+\.[0-9]+\.[0-9]+$')] [string] $RunnerVersion,
  [string] $GitUrl = '',
  [string] $GitSha256 = '',
  [string] $RunnerDir = 'C:\actions-runner',
  [string] $CloudWatchAgentUrl = 'https://s3.amazonaws.com/amazoncloudwatch-agent/windows/amd64/latest/amazon-cloudwatch-agent.msi'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
if (-not $GitUrl -or $GitSha256 -notmatch '^[0-9a-f]{64}$') {
  throw 'the Windows image needs Git for Windows: set the git_for_windows variable (installer URL and its SHA-256)'
}
$downloads = Join-Path $env:TEMP 'spotrunner'
New-Item -ItemType Directory -Force -Path $downloads | Out-Null

function Get-VerifiedFile([string] $Url, [string] $Sha256, [string] $Path) {
  Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $Path
  $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant()
  if ($Sha256 -and $actual -ne $Sha256) {
    Remove-Item -LiteralPath $Path -Force
    throw "$Url has sha256 $actual, expected $Sha256"
  }
}

$git = Join-Path $downloads 'git-installer.exe'
Get-VerifiedFile -Url $GitUrl -Sha256 $GitSha256 -Path $git
$process = Start-Process -FilePath $git -ArgumentList '/VERYSILENT', '/NORESTART', '/NOCANCEL', '/SP-' -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "Git for Windows installer failed ($($process.ExitCode))" }

# The agent's msi is published without a checksum; it is signed by Amazon.
$agent = Join-Path $downloads 'amazon-cloudwatch-agent.msi'
Get-VerifiedFile -Url $CloudWatchAgentUrl -Sha256 '' -Path $agent
if ((Get-AuthenticodeSignature -LiteralPath $agent).Status -ne 'Valid') { throw 'the CloudWatch agent msi is not validly signed' }
$process = Start-Process -FilePath msiexec.exe -ArgumentList '/i', $agent, '/qn' -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "CloudWatch agent installer failed ($($process.ExitCode))" }

$zip = Join-Path $downloads 'actions-runner.zip'
Get-VerifiedFile -Url $RunnerUrl -Sha256 $RunnerSha256 -Path $zip
if (Test-Path -LiteralPath $RunnerDir) { Remove-Item -LiteralPath $RunnerDir -Recurse -Force }
Expand-Archive -LiteralPath $zip -DestinationPath $RunnerDir -Force
Set-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Value $RunnerVersion -Encoding ASCII

Remove-Item -LiteralPath $downloads -Recurse -Force
Write-Host "spotrunner-install: git, CloudWatch agent and runner $RunnerVersion installed"
