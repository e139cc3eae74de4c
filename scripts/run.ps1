# Windows (PowerShell) equivalent of scripts/run.sh: set up, then score, review and report every
# bundled subject into outputs\.   Usage:  powershell -ExecutionPolicy Bypass -File scripts\run.ps1
$ErrorActionPreference = "Stop"
& (Join-Path $PSScriptRoot "setup.ps1")
if ($LASTEXITCODE) { exit $LASTEXITCODE }
Set-Location (Join-Path $PSScriptRoot "..")
& .venv\Scripts\evalbook.exe run @args
exit $LASTEXITCODE
