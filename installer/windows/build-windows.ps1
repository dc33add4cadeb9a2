# Build the Windows installer:  powershell -File installer\windows\build-windows.ps1 [-Flavour player|full]
# PyInstaller one-folder build (installer\kord-desktop.spec) -> Inno Setup 6 (kord-desktop.iss)
# -> installer\dist\kord-desktop[-full]-<version>-windows-x64-setup.exe
# Needs: Python with the project installed (pip install -e ".[installer]"; ".[train,installer]"
# for full), Pillow (PNG -> .ico), Inno Setup 6 (iscc.exe on PATH or in Program Files).
param([ValidateSet("player", "full")][string]$Flavour = "player")
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = if ($env:PYTHON) { $env:PYTHON } else { "python" }
$version = & $py -c "import kord_engine; print(kord_engine.__version__)"
$work = "installer\build\$Flavour"

# The icon for the executables, the installer and the uninstaller.
& $py -c "from PIL import Image; Image.open('resources/icons/kord-desktop-256.png').save('installer/windows/kord-desktop.ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])"
if ($LASTEXITCODE) { throw "icon conversion failed (pip install pillow)" }

$env:KORD_FLAVOUR = $Flavour
$env:KORD_VERSION = $version
& $py -m PyInstaller --noconfirm --log-level WARN --distpath "$work\dist" --workpath "$work\work" installer\kord-desktop.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }
$bundle = Resolve-Path "$work\dist\kord-desktop"
& "$bundle\kord.exe" --version
if ($LASTEXITCODE) { throw "the bundled kord.exe does not start" }

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DFlavour=$Flavour" "/DAppVersion=$version" "/DSourceDir=$bundle" "/DOutputDir=$(Resolve-Path installer)\dist" installer\windows\kord-desktop.iss
if ($LASTEXITCODE) { throw "Inno Setup failed" }
Get-ChildItem installer\dist\*.exe | Format-Table Name, Length
