# Example job-completed hook (Windows): cleans the workspace for the next job.
if ($env:GITHUB_WORKSPACE -and (Test-Path $env:GITHUB_WORKSPACE)) {
  Get-ChildItem -Force $env:GITHUB_WORKSPACE | Remove-Item -Recurse -Force
}
