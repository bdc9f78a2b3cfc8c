# Pester 5 tests of install-runner.ps1 (the Windows install script: user_data of Windows `install` pools and
# images/windows.pkr.hcl run it), run by .github/workflows/images.yml on a Windows runner: PowerShell does not
# run on the Linux CI machines. The script is dot-sourced (it then runs nothing) and its thin download,
# installer and signature wrappers are mocked; checksums, unpacking and the order of the steps are the real code.

BeforeAll {
  . (Join-Path $PSScriptRoot '..\..\modules\runners\templates\install-runner.ps1')

  function New-Fixture([string] $Name, [string] $Content) {
    $path = Join-Path $TestDrive "fixtures\$Name"
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null
    Set-Content -LiteralPath $path -Value $Content
    $path
  }

  function Get-Sha256([string] $Path) { (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant() }
}

Describe 'install-runner.ps1' {
  BeforeEach {
    $RunnerDir = Join-Path $TestDrive 'actions-runner'
    $DownloadDir = Join-Path $TestDrive 'downloads'
    $CloudWatchAgentUrl = 'https://agent.example/amazon-cloudwatch-agent.msi'
    Remove-Item -LiteralPath $RunnerDir, $DownloadDir -Recurse -Force -ErrorAction SilentlyContinue

    $git = New-Fixture 'git.exe' 'a Git for Windows installer'
    $GitUrl = 'https://git.example/Git-64-bit.exe'
    $GitSha256 = Get-Sha256 $git
    $content = Join-Path $TestDrive 'fixtures\runner'
    New-Item -ItemType Directory -Force -Path $content | Out-Null
    Set-Content -LiteralPath (Join-Path $content 'run.cmd') -Value '@echo off'
    $zip = Join-Path $TestDrive 'fixtures\runner.zip'
    Compress-Archive -Path (Join-Path $content '*') -DestinationPath $zip -Force
    # The install boot path passes no runner arguments; the image tests set them.
    $RunnerUrl = ''
    $RunnerSha256 = ''
    $RunnerVersion = ''

    $global:InstallFixtures = @{
      $GitUrl             = $git
      $CloudWatchAgentUrl = (New-Fixture 'agent.msi' 'the CloudWatch agent msi')
      'https://runner.example/actions-runner-win-x64-2.330.0.zip' = $zip
    }
    $global:InstallEvents = [System.Collections.Generic.List[string]]::new()
    $global:InstallStatus = @{}
    $global:AgentSigned = $true

    Mock Save-Download { $global:InstallEvents.Add("download $Url"); Copy-Item -LiteralPath $global:InstallFixtures[$Url] -Destination $Path }
    Mock Invoke-Installer {
      $leaf = Split-Path -Leaf $FilePath
      $global:InstallEvents.Add("install $leaf $($Arguments -join ' ')")
      if ($global:InstallStatus.ContainsKey($leaf)) { $global:InstallStatus[$leaf] } else { 0 }
    }
    Mock Test-ValidSignature { $global:AgentSigned }
  }

  It 'install path: verifies and installs Git, then the signed CloudWatch agent, and leaves the runner to the start script' {
    Install-Spotrunner
    $global:InstallEvents | Should -Be @(
      "download $GitUrl",
      'install git-installer.exe /VERYSILENT /NORESTART /NOCANCEL /SP-',
      "download $CloudWatchAgentUrl",
      "install msiexec.exe /i $(Join-Path $DownloadDir 'amazon-cloudwatch-agent.msi') /qn")
    Test-Path -LiteralPath $RunnerDir | Should -BeFalse
    Test-Path -LiteralPath $DownloadDir | Should -BeFalse
  }

  It 'refuses a Git installer whose SHA-256 differs, before running anything' {
    $GitSha256 = '0' * 64
    { Install-Spotrunner } | Should -Throw "*has sha256 *, expected $GitSha256*"
    $global:InstallEvents | Should -Be @("download $GitUrl")
  }

  It 'needs Git for Windows: no installer URL or no hex SHA-256 is refused before any download' {
    $GitUrl = ''
    { Install-Spotrunner } | Should -Throw '*needs Git for Windows*'
    $GitUrl = 'https://git.example/Git-64-bit.exe'
    $GitSha256 = 'not-a-checksum'
    { Install-Spotrunner } | Should -Throw '*needs Git for Windows*'
    $global:InstallEvents.Count | Should -Be 0
  }

  It 'refuses an agent msi without a valid signature' {
    $global:AgentSigned = $false
    { Install-Spotrunner } | Should -Throw '*not validly signed*'
    $global:InstallEvents | Should -Not -Contain "install msiexec.exe /i $(Join-Path $DownloadDir 'amazon-cloudwatch-agent.msi') /qn"
  }

  It 'a failing installer fails the install with its exit code' {
    $global:InstallStatus['msiexec.exe'] = 1603
    { Install-Spotrunner } | Should -Throw '*CloudWatch agent installer failed (1603)*'
  }

  It 'image build: unpacks the verified runner zip at the runner directory and records its version' {
    $RunnerUrl = 'https://runner.example/actions-runner-win-x64-2.330.0.zip'
    $RunnerSha256 = Get-Sha256 $global:InstallFixtures[$RunnerUrl]
    $RunnerVersion = '2.330.0'
    Install-Spotrunner
    $global:InstallEvents | Select-Object -Last 1 | Should -Be "download $RunnerUrl"
    Test-Path -LiteralPath (Join-Path $RunnerDir 'run.cmd') | Should -BeTrue
    (Get-Content -LiteralPath (Join-Path $RunnerDir '.spotrunner-runner-version') -Raw).Trim() | Should -Be '2.330.0'
  }

  It 'image build: refuses a runner zip whose SHA-256 differs and leaves no runner' {
    $RunnerUrl = 'https://runner.example/actions-runner-win-x64-2.330.0.zip'
    $RunnerSha256 = 'f' * 64
    $RunnerVersion = '2.330.0'
    { Install-Spotrunner } | Should -Throw "*expected $RunnerSha256*"
    Test-Path -LiteralPath $RunnerDir | Should -BeFalse
  }

  It 'image build: -RunnerUrl without a version or checksum is refused before any download' {
    $RunnerUrl = 'https://runner.example/actions-runner-win-x64-2.330.0.zip'
    { Install-Spotrunner } | Should -Throw '*-RunnerUrl needs -RunnerVersion*'
    $global:InstallEvents.Count | Should -Be 0
  }
}
