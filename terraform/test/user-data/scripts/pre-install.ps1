# Example pre-install script (Windows): runs before the runner is installed.
Set-MpPreference -DisableRealtimeMonitoring $true
New-Item -ItemType Directory -Force -Path 'D:\work' | Out-Null
