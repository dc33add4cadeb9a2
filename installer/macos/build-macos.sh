#!/usr/bin/env bash
# Build Kord.app and a .dmg on macOS:  installer/macos/build-macos.sh [player|full]
# PyInstaller's BUNDLE (in installer/kord-desktop.spec) makes dist/Kord.app with an Info.plist that
# carries NSMicrophoneUsageDescription (macOS asks the user before the app may listen); `kord` sits
# beside the app's executable in Kord.app/Contents/MacOS/. Output: installer/dist/*.dmg.
# Needs: python3 with the project installed (pip install -e '.[installer]'; '.[train,installer]'
# for full), Xcode command line tools (iconutil, hdiutil, codesign). Env: PYTHON, KORD_CODESIGN_ID
# (a "Developer ID Application: ..." identity; default: ad-hoc signature "-").
set -euo pipefail
cd "$(dirname "$0")/../.."
FLAVOUR=${1:-player}
case "$FLAVOUR" in player | full) ;; *) echo "usage: $0 [player|full]" >&2; exit 2 ;; esac
PY=${PYTHON:-python3}
VERSION=$("$PY" -c "import kord_engine; print(kord_engine.__version__)")
WORK=installer/build/macos-$FLAVOUR
DIST=installer/dist
SUFFIX=$([ "$FLAVOUR" = full ] && echo -full || true)
mkdir -p "$WORK" "$DIST"

# The app icon: an .icns from the shipped PNGs.
ICONSET=$WORK/kord-desktop.iconset
rm -rf "$ICONSET"; mkdir -p "$ICONSET"
for size in 16 32 128 256; do
  cp "resources/icons/kord-desktop-$size.png" "$ICONSET/icon_${size}x${size}.png"
done
cp resources/icons/kord-desktop-32.png "$ICONSET/icon_16x16@2x.png"
cp resources/icons/kord-desktop-64.png "$ICONSET/icon_32x32@2x.png"
cp resources/icons/kord-desktop-256.png "$ICONSET/icon_128x128@2x.png"
iconutil -c icns "$ICONSET" -o installer/macos/kord-desktop.icns

"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q "pyinstaller>=6.5"
KORD_FLAVOUR=$FLAVOUR KORD_VERSION=$VERSION "$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$WORK/dist" --workpath "$WORK/work" installer/kord-desktop.spec
APP=$WORK/dist/Kord.app
/usr/libexec/PlistBuddy -c "Print :NSMicrophoneUsageDescription" "$APP/Contents/Info.plist"
codesign --force --deep --sign "${KORD_CODESIGN_ID:--}" "$APP"

# Smoke test: both executables start from inside the bundle.
"$APP/Contents/MacOS/kord" --version
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/kord-desktop" --offscreen-smoke

DMG=$DIST/kord-desktop$SUFFIX-$VERSION-macos-$(uname -m).dmg
STAGE=$WORK/dmg
rm -rf "$STAGE" "$DMG"; mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Kord $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
du -sh "$APP" "$DMG"
