; Inno Setup 6 script: Kord Desktop for Windows (x64), from the PyInstaller one-folder build.
;   installer\windows\build-windows.ps1 [-Flavour player|full]   (builds the folder, then this)
;   or: iscc /DFlavour=player /DAppVersion=0.1.0 /DSourceDir=<...\kord-desktop> kord-desktop.iss
; Installs per user (no admin, %LOCALAPPDATA%\Programs) or for all users (Program Files): the
; wizard asks. User data never goes here: settings, models and recordings live in
; %LOCALAPPDATA%\kord-desktop (platformdirs).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Flavour
  #define Flavour "player"
#endif
#ifndef SourceDir
  #define SourceDir "..\build\" + Flavour + "\dist\kord-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#if Flavour == "full"
  #define FlavourSuffix "-full"
#else
  #define FlavourSuffix ""
#endif

[Setup]
; One AppId for both flavours: installing one replaces the other.
AppId={{6F0B5C52-5D0B-4C8E-9A53-1E7B2C3D4A10}
AppName=Kord
AppVersion={#AppVersion}
AppVerName=Kord {#AppVersion}
AppPublisher=Kord Desktop developers
AppPublisherURL=https://github.com/twitchax/kord
DefaultDirName={autopf}\Kord
DefaultGroupName=Kord
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=kord-desktop{#FlavourSuffix}-{#AppVersion}-windows-x64-setup
SetupIconFile=kord-desktop.ico
UninstallDisplayIcon={app}\kord-desktop.exe
UninstallDisplayName=Kord {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the kord command line tool to PATH"; Flags: unchecked

[InstallDelete]
; A previous version's files (e.g. the other flavour's torch) must not linger in {app}.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Kord"; Filename: "{app}\kord-desktop.exe"; WorkingDir: "{userdocs}"; Comment: "Hear a chord, name it, play it"
Name: "{group}\Uninstall Kord"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Kord"; Filename: "{app}\kord-desktop.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; PATH entry for kord.exe: per-user installs write HKCU, all-users installs HKLM.
Root: HKA; Subkey: "{code:EnvKey}"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\kord-desktop.exe"; Description: "{cm:LaunchProgram,Kord}"; Flags: nowait postinstall skipifsilent

[Code]
function EnvKey(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function NeedsAddPath(Dir: String): Boolean;
var
  Paths: String;
  RootKey: Integer;
begin
  if IsAdminInstallMode then RootKey := HKEY_LOCAL_MACHINE else RootKey := HKEY_CURRENT_USER;
  if not RegQueryStringValue(RootKey, EnvKey(''), 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;

procedure RemovePathEntry(Dir: String);
var
  Paths: String;
  P: Integer;
  RootKey: Integer;
begin
  if IsAdminInstallMode then RootKey := HKEY_LOCAL_MACHINE else RootKey := HKEY_CURRENT_USER;
  if not RegQueryStringValue(RootKey, EnvKey(''), 'Path', Paths) then exit;
  P := Pos(';' + Uppercase(Dir), Uppercase(Paths));
  if P > 0 then
  begin
    Delete(Paths, P, Length(Dir) + 1);
    RegWriteExpandStringValue(RootKey, EnvKey(''), 'Path', Paths);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemovePathEntry(ExpandConstant('{app}'));
end;
