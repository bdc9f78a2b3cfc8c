# Pester 5 tests of start-runner.ps1 (the Windows start script), run by .github/workflows/images.yml on a
# Windows runner: PowerShell does not run on the Linux CI machines. The script is dot-sourced (it then runs
# nothing) and its thin AWS/instance wrappers are mocked; the steps between them are the real code.

BeforeAll {
  . (Join-Path $PSScriptRoot '..\..\modules\runners\templates\start-runner.ps1')

  function New-RunnerZip([string] $Path) {
    $content = Join-Path $TestDrive 'zip-content'
    New-Item -ItemType Directory -Force -Path $content | Out-Null
    Set-Content -LiteralPath (Join-Path $content 'run.cmd') -Value '@echo off'
    Set-Content -LiteralPath (Join-Path $content 'config.cmd') -Value '@echo off'
    Compress-Archive -Path (Join-Path $content '*') -DestinationPath $Path -Force
  }
}

Describe 'start-runner.ps1' {
  BeforeEach {
    $Pool = 'windows'
    $SsmConfigPath = '/ci/runners'
    $Bucket = 'runner-cache'
    $RunnerKey = 'actions-runner/win-x64.zip'
    $Boot = 'install'
    $RunnerDir = Join-Path $TestDrive 'actions-runner'
    $ScriptDir = Join-Path $TestDrive 'spotrunner'
    $WorkDir = ''
    $DisableUpdate = $false
    $LogGroup = ''
    $ConfigTimeoutSeconds = 1
    $PollSeconds = 0.1
    # TestDrive lives as long as the Describe block: start every test from empty directories.
    Remove-Item -LiteralPath $RunnerDir, $ScriptDir -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path (Join-Path $ScriptDir 'hooks') | Out-Null

    $global:SpotrunnerZip = Join-Path $TestDrive 'cached.zip'
    New-RunnerZip -Path $global:SpotrunnerZip
    $global:SpotrunnerSha = (Get-FileHash -Algorithm SHA256 -LiteralPath $global:SpotrunnerZip).Hash.ToLowerInvariant()
    $global:SpotrunnerEvents = [System.Collections.Generic.List[string]]::new()
    $global:SpotrunnerConfig = '{"mode":"jit","runnerName":"ci-i-1","jitConfig":"JIT-SECRET"}'

    Mock Get-InstanceIdentity { @{ InstanceId = 'i-0123456789abcdef0'; Region = 'eu-west-1' } }
    Mock Get-CachedRunnerMetadata { @{ Sha256 = $global:SpotrunnerSha; Version = '2.330.0' } }
    Mock Save-CachedRunner { $global:SpotrunnerEvents.Add('download'); Copy-Item -LiteralPath $global:SpotrunnerZip -Destination $Path }
    Mock Read-RunnerConfig { $global:SpotrunnerEvents.Add("read $Name"); $global:SpotrunnerConfig }
    Mock Remove-RunnerConfig { $global:SpotrunnerEvents.Add("delete $Name") }
    # The command line as a process listing would show it; the secrets handed through the environment apart.
    $global:SpotrunnerSecrets = @{}
    Mock Invoke-RunnerCommand { $global:SpotrunnerEvents.Add("$Command $($Arguments -join ' ')"); $global:SpotrunnerSecrets[$Command] = $Secrets; 0 }
    Mock Stop-Instance { $global:SpotrunnerEvents.Add('shutdown') }
  }

  It 'reads the config at <path>/<pool>/<instance-id>, deletes it, runs the JIT runner, then shuts down' {
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerEvents | Should -Be @('download', 'read /ci/runners/windows/i-0123456789abcdef0',
      'delete /ci/runners/windows/i-0123456789abcdef0', 'run.cmd ', 'shutdown')
    $global:SpotrunnerSecrets['run.cmd'].ACTIONS_RUNNER_INPUT_JITCONFIG | Should -Be 'JIT-SECRET'
    Test-Path (Join-Path $RunnerDir 'run.cmd') | Should -BeTrue
  }

  It 'refuses a zip whose SHA-256 differs from the metadata: no config read, no runner, shutdown' {
    $global:SpotrunnerSha = '0' * 64
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents | Should -Be @('download', 'shutdown')
    Test-Path (Join-Path $RunnerDir 'run.cmd') | Should -BeFalse
  }

  It 'refuses a zip without checksum metadata' {
    $global:SpotrunnerSha = $null
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents | Should -Not -Contain 'run.cmd '
  }

  It 'prebuilt: keeps a current image runner and downloads nothing' {
    $Boot = 'prebuilt'
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Set-Content -LiteralPath (Join-Path $RunnerDir 'run.cmd') -Value '@echo off'
    Set-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Value '2.330.0'
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerEvents | Should -Not -Contain 'download'
  }

  It 'prebuilt: keeps the image runner when the runner cache cannot be read' {
    $Boot = 'prebuilt'
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Set-Content -LiteralPath (Join-Path $RunnerDir 'run.cmd') -Value '@echo off'
    Set-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Value '2.330.0'
    Mock Get-CachedRunnerMetadata { throw 'The specified key does not exist.' }
    $log = Invoke-SpotrunnerStart 6>&1 | Out-String
    $log | Should -Match 'runner cache s3://runner-cache/actions-runner/win-x64.zip not readable \(The specified key does not exist.\); keeping the prebuilt image runner 2.330.0'
    $global:SpotrunnerEvents | Should -Not -Contain 'download'
    $global:SpotrunnerEvents | Should -Contain 'run.cmd '
  }

  It 'prebuilt: shuts down when the runner cache cannot be read and the image has no runner' {
    $Boot = 'prebuilt'
    Mock Get-CachedRunnerMetadata { throw 'The specified key does not exist.' }
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents | Should -Be @('shutdown')
  }

  It 'install: a cache that cannot be read is a failure even with a runner on the image' {
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Set-Content -LiteralPath (Join-Path $RunnerDir 'run.cmd') -Value '@echo off'
    Set-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Value '2.330.0'
    Mock Get-CachedRunnerMetadata { throw 'Access Denied' }
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents | Should -Be @('shutdown')
  }

  It 'prebuilt: replaces an image runner older than the cached one' {
    $Boot = 'prebuilt'
    New-Item -ItemType Directory -Force -Path $RunnerDir | Out-Null
    Set-Content -LiteralPath (Join-Path $RunnerDir 'run.cmd') -Value '@echo off'
    Set-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Value '2.329.9'
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerEvents[0] | Should -Be 'download'
    Test-Path (Join-Path $RunnerDir '.spotrunner-runner-version') | Should -BeFalse
  }

  It 'registration: --disableupdate, --work and --ephemeral, the token in the environment, then run.cmd' {
    $DisableUpdate = $true
    $WorkDir = Join-Path $TestDrive 'work'
    $global:SpotrunnerConfig = '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"REG","labels":"self-hosted,windows","runnerGroup":"Default","ephemeral":true}'
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerEvents | Should -Contain "config.cmd --unattended --url https://github.com/acme --name r --labels self-hosted,windows --runnergroup Default --replace --ephemeral --disableupdate --work $WorkDir"
    $global:SpotrunnerSecrets['config.cmd'].ACTIONS_RUNNER_INPUT_TOKEN | Should -Be 'REG'
    $global:SpotrunnerSecrets['run.cmd'].Count | Should -Be 0
    $global:SpotrunnerEvents | Should -Contain 'run.cmd '
    Test-Path $WorkDir | Should -BeTrue
  }

  It 'a persistent runner is installed as a service and the instance keeps running' {
    $global:SpotrunnerConfig = '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"t","labels":"self-hosted","runnerGroup":"Default","ephemeral":false}'
    Invoke-SpotrunnerStart | Should -Be 0
    ($global:SpotrunnerEvents | Where-Object { $_ -like 'config.cmd *' }) | Should -BeLike '*--runasservice'
    $global:SpotrunnerEvents | Should -Not -Contain 'shutdown'
  }

  It 'job hooks land in the runner .env' {
    Set-Content -LiteralPath (Join-Path $ScriptDir 'hooks\job-started.ps1') -Value 'Write-Output started'
    Invoke-SpotrunnerStart | Should -Be 0
    Get-Content (Join-Path $RunnerDir '.env') | Should -Be "ACTIONS_RUNNER_HOOK_JOB_STARTED=$(Join-Path $ScriptDir 'hooks\job-started.ps1')"
  }

  It 'runs pre-install before the download and post-install after the config is deleted' {
    Set-Content -LiteralPath (Join-Path $ScriptDir 'pre-install.ps1') -Value '$global:SpotrunnerEvents.Add("pre-install")'
    Set-Content -LiteralPath (Join-Path $ScriptDir 'post-install.ps1') -Value '$global:SpotrunnerEvents.Add("post-install")'
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerEvents[0] | Should -Be 'pre-install'
    $global:SpotrunnerEvents.IndexOf('post-install') | Should -BeGreaterThan $global:SpotrunnerEvents.IndexOf('delete /ci/runners/windows/i-0123456789abcdef0')
    $global:SpotrunnerEvents.IndexOf('post-install') | Should -BeLessThan $global:SpotrunnerEvents.IndexOf('run.cmd ')
  }

  It 'a config that never appears times out into shutdown' {
    Mock Read-RunnerConfig { throw 'ParameterNotFound' }
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents | Should -Contain 'shutdown'
    $global:SpotrunnerEvents | Should -Not -Contain 'run.cmd '
  }

  It 'an unknown mode shuts down without starting anything' {
    $global:SpotrunnerConfig = '{"mode":"mystery","runnerName":"r"}'
    Invoke-SpotrunnerStart | Should -Be 1
    $global:SpotrunnerEvents[-1] | Should -Be 'shutdown'
  }

  It 'puts no JIT config or registration token on a command line' {
    Invoke-SpotrunnerStart | Should -Be 0
    $global:SpotrunnerConfig = '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"REG-TOKEN","labels":"l","runnerGroup":"Default","ephemeral":true}'
    Invoke-SpotrunnerStart | Should -Be 0
    ($global:SpotrunnerEvents -join "`n") | Should -Not -Match 'JIT-SECRET|REG-TOKEN|--jitconfig|--token'
  }

  It 'never logs the JIT config' {
    $log = Invoke-SpotrunnerStart 6>&1 | Out-String
    $log | Should -Not -Match 'JIT-SECRET'
  }
}

# The real wrapper, unmocked: what the runner's process gets, and what this script keeps afterwards.
Describe 'Invoke-RunnerCommand' {
  It 'hands the secret to the command in its environment only, and clears it afterwards' {
    $dir = Join-Path $TestDrive 'env-check'
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $out = Join-Path $dir 'seen.txt'
    Set-Content -LiteralPath (Join-Path $dir 'show.cmd') -Value "@echo off`r`necho %ACTIONS_RUNNER_INPUT_JITCONFIG%> `"$out`"`r`nexit /b 3"
    $status = Invoke-RunnerCommand -Directory $dir -Command 'show.cmd' -Arguments @() `
      -Secrets @{ ACTIONS_RUNNER_INPUT_JITCONFIG = 'ENV-SECRET' }
    $status | Should -Be 3
    (Get-Content -LiteralPath $out).Trim() | Should -Be 'ENV-SECRET'
    $env:ACTIONS_RUNNER_INPUT_JITCONFIG | Should -BeNullOrEmpty
  }
}
