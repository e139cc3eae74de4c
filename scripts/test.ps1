# Windows (PowerShell) equivalent of scripts/test.sh: set up, then pytest. The JupyterLab browser test
# needs Chromium on PATH (it is skipped otherwise); the Chromium PDF tests use Chromium, Chrome or Edge
# (found in their install folders, or EVALBOOK_CHROMIUM); the PDF tests need poppler's pdftotext.
# Usage:  powershell -ExecutionPolicy Bypass -File scripts\test.ps1
$ErrorActionPreference = "Stop"
& (Join-Path $PSScriptRoot "setup.ps1")
if ($LASTEXITCODE) { exit $LASTEXITCODE }
Set-Location (Join-Path $PSScriptRoot "..")
& .venv\Scripts\python.exe -m pytest -q @args
exit $LASTEXITCODE
