# Windows (PowerShell) equivalent of scripts/setup.sh: create .venv (Python 3.11+) and install the
# locked dependencies and evalbook itself; re-installs only when requirements.lock or pyproject.toml changed.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$py = if ($env:PYTHON) { $env:PYTHON } else { "python" }
if (-not (Test-Path ".venv\Scripts\python.exe")) {
    & $py -m venv .venv
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
$stamp = ".venv\.evalbook-installed"
$bytes = [IO.File]::ReadAllBytes("requirements.lock") + [IO.File]::ReadAllBytes("pyproject.toml")
$want = -join ([Security.Cryptography.SHA256]::Create().ComputeHash($bytes) | ForEach-Object { $_.ToString("x2") })
$have = if (Test-Path $stamp) { (Get-Content $stamp -Raw).Trim() } else { "" }
if ($have -ne $want) {
    foreach ($step in @(@("-m", "pip", "install", "--quiet", "--upgrade", "pip"),
                        @("-m", "pip", "install", "--quiet", "-r", "requirements.lock"),
                        @("-m", "pip", "install", "--quiet", "--no-deps", "-e", "."))) {
        & .venv\Scripts\python.exe @step
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    Set-Content -Path $stamp -Value $want
}
