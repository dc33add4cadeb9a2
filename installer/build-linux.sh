#!/usr/bin/env bash
# Build Kord Desktop's Linux artefacts into installer/dist/:
#   kord-desktop[-full]_<version>_<arch>.deb       (/opt/kord-desktop, /usr/bin wrappers, menu entry)
#   kord-desktop[-full]-<version>-linux-<machine>.tar.gz   (portable folder, unpack and run)
#
#   installer/build-linux.sh [player|full|all]      (default: player)
#
# player = onnxruntime inference, no torch (small); full = with torch CPU for training.
# Env: PYTHON (default .venv/bin/python), KORD_DEB_COMPRESS (xz|zstd|gzip|none, default xz:
#      smallest, readable by every dpkg; zstd packs in seconds instead of minutes),
#      KORD_LINUX_ARTEFACTS ("deb tar" by default; "deb" alone for the installer test),
#      KORD_SKIP_PYINSTALLER=1 (re-package the last PyInstaller build without rebuilding it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WHAT=${1:-player}
case "$WHAT" in
  player) FLAVOURS=(player) ;;
  full) FLAVOURS=(full) ;;
  all) FLAVOURS=(player full) ;;
  *) echo "usage: installer/build-linux.sh [player|full|all]" >&2; exit 2 ;;
esac
PY=${PYTHON:-$ROOT/.venv/bin/python}
COMPRESS=${KORD_DEB_COMPRESS:-xz}
ARTEFACTS=${KORD_LINUX_ARTEFACTS:-deb tar}
BUILD=$ROOT/installer/build
DIST=$ROOT/installer/dist
LINUX=$ROOT/installer/linux
mkdir -p "$BUILD" "$DIST"

for tool in dpkg-deb tar; do
  command -v "$tool" >/dev/null || { echo "build-linux: '$tool' is required" >&2; exit 1; }
done
[ -x "$PY" ] || { echo "build-linux: no Python at $PY (run scripts/setup.sh first)" >&2; exit 1; }
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "== installing PyInstaller into $("$PY" -c 'import sys; print(sys.prefix)')"
  "$PY" -m pip install --disable-pip-version-check -q "pyinstaller>=6.5"
fi
VERSION=$("$PY" -c "import kord_engine; print(kord_engine.__version__)")
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
MACHINE=$(uname -m)

# Libraries Qt and PortAudio open at run time (dlopen), which ldd cannot see, plus a font.
BASE_DEPENDS="libc6, libportaudio2, libegl1, libgl1, libopengl0, libfontconfig1, libfreetype6,
 libdbus-1-3, libglib2.0-0 | libglib2.0-0t64, libx11-6, libx11-xcb1, libxkbcommon0,
 libxkbcommon-x11-0, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1,
 libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1,
 fonts-dejavu-core | fonts-liberation | fonts-freefont-ttf"

# Debian packages holding the system libraries the bundle links to directly (its files' NEEDED
# entries, resolved by ldd; dpkg -S); what those libraries link in turn comes with their own
# packages. A warning for any library that is not found at all. The bundled PortAudio's own
# (ALSA, JACK, which the spec leaves to the system) come with libportaudio2 in BASE_DEPENDS,
# with its JACK alternatives.
derived_depends() {
  local bundle=$1 libpath missing="" files=$BUILD/elf-$FLAVOUR.txt
  libpath=$(find "$bundle/_internal" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
  find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) ! -name 'libportaudio*' \
    -print0 >"$files"
  xargs -0 readelf -d <"$files" 2>/dev/null | awk '/\(NEEDED\)/ { gsub(/[][]/, "", $5); print $5 }' |
    sort -u >"$BUILD/needed-$FLAVOUR.txt"
  xargs -0 -n 50 env LD_LIBRARY_PATH="$libpath" ldd <"$files" 2>/dev/null |
    awk -v b="$bundle" 'NR == FNR { need[$1] = 1; next }
      /=>/ && ($1 in need) { if ($3 == "not") print "MISSING " $1; else if (index($3, b) != 1) print $3 }' \
      "$BUILD/needed-$FLAVOUR.txt" - |
    sort -u >"$BUILD/ldd-$FLAVOUR.txt"
  missing=$(grep '^MISSING ' "$BUILD/ldd-$FLAVOUR.txt" | cut -d' ' -f2 | sort -u | paste -sd' ' || true)
  [ -z "$missing" ] || echo "build-linux: warning: libraries not found on this machine: $missing" >&2
  grep -v '^MISSING ' "$BUILD/ldd-$FLAVOUR.txt" | while read -r lib; do
    real=$(readlink -f "$lib")
    for candidate in "$lib" "$real" "/usr$lib" "/usr$real" "${lib#/usr}" "${real#/usr}"; do
      if pkg=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1); then
        [ -n "$pkg" ] && echo "$pkg" && break
      fi
    done
  done | sort -u
}


# The one-folder PyInstaller bundle of a flavour (both executables, resources inside).
build_bundle() {
  local work=$1 bundle=$1/dist/kord-desktop started=$SECONDS
  if [ "${KORD_SKIP_PYINSTALLER:-0}" != 1 ] || [ ! -x "$bundle/kord" ]; then
    echo "== PyInstaller ($FLAVOUR)"
    rm -rf "$work/dist"
    KORD_FLAVOUR=$FLAVOUR KORD_VERSION=$VERSION "$PY" -m PyInstaller --noconfirm --log-level WARN \
      --distpath "$work/dist" --workpath "$work/work" installer/kord-desktop.spec
  fi
  [ -x "$bundle/kord" ] && [ -x "$bundle/kord-desktop" ] ||
    { echo "build-linux: PyInstaller produced no executables in $bundle" >&2; exit 1; }
  echo "   bundle: $(du -sh "$bundle" | cut -f1) in $((SECONDS - started)) s"
}

# The .deb: bundle in /opt/kord-desktop, wrappers in /usr/bin, menu entry, icons, caches refreshed.
make_deb() {
  local work=$1 pkg=$2 other=$3
  local bundle=$work/dist/kord-desktop stage=$work/deb
  echo "== .deb ($pkg)"
  rm -rf "$stage"
  mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/doc/$pkg"
  cp -a "$bundle" "$stage/opt/kord-desktop"
  for name in kord kord-desktop; do
    sed "s/@NAME@/$name/g" "$LINUX/wrapper.sh" >"$stage/usr/bin/$name"
    chmod 755 "$stage/usr/bin/$name"
  done
  install -m 644 "$LINUX/kord-desktop.desktop" "$stage/usr/share/applications/kord-desktop.desktop"
  for size in 16 24 32 48 64 128 256; do
    install -D -m 644 "resources/icons/kord-desktop-$size.png" \
      "$stage/usr/share/icons/hicolor/${size}x${size}/apps/kord-desktop.png"
  done
  install -D -m 644 resources/icons/kord-desktop.svg \
    "$stage/usr/share/icons/hicolor/scalable/apps/kord-desktop.svg"
  printf 'Kord Desktop %s (%s build)\nLicense: MIT\n' "$VERSION" "$FLAVOUR" \
    >"$stage/usr/share/doc/$pkg/copyright"
  install -m 755 "$LINUX/postinst" "$LINUX/postrm" "$stage/DEBIAN/"

  local depends extra size_kb what="chord recognition with the shipped model; no training"
  [ "$FLAVOUR" = full ] && what="with PyTorch CPU for training models"
  depends=$(echo "$BASE_DEPENDS" | tr -d '\n')
  extra=$(derived_depends "$bundle" | grep -v -x -e 'libc6' || true)
  for dep in $extra; do
    case ", $depends," in *", $dep,"* | *" $dep |"* | *"| $dep,"*) ;; *) depends="$depends, $dep" ;; esac
  done
  size_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  {
    echo "Package: $pkg"
    echo "Version: $VERSION"
    echo "Section: sound"
    echo "Priority: optional"
    echo "Architecture: $ARCH"
    echo "Installed-Size: $size_kb"
    echo "Depends: $depends"
    echo "Conflicts: $other"
    echo "Replaces: $other"
    echo "Maintainer: Kord Desktop developers <kord-desktop@users.noreply.github.com>"
    echo "Homepage: https://github.com/twitchax/kord"
    echo "Description: hear a chord, name it, play it, learn its theory"
    echo " Kord Desktop listens through the microphone and names the chord you play, draws the"
    echo " spectrum, lights the notes on a piano keyboard, plays chords through its own synth and"
    echo " explains chords, scales and modes. Includes the kord command line tool."
    echo " ."
    echo " This is the $FLAVOUR build ($what)."
  } >"$stage/DEBIAN/control"
  local deb=$DIST/${pkg}_${VERSION}_${ARCH}.deb
  rm -f "$deb"
  dpkg-deb --root-owner-group -Z"$COMPRESS" --build "$stage" "$deb.partial" >/dev/null
  mv "$deb.partial" "$deb"
  echo "   $deb: $(du -h "$deb" | cut -f1) (installed $((size_kb / 1024)) MB)"
}

# The portable .tar.gz: the bundle plus a menu-entry installer for the unpacked folder.
make_tar() {
  local work=$1 suffix=$2
  local bundle=$work/dist/kord-desktop top=kord-desktop$suffix-$VERSION tarroot=$work/tar
  local tgz=$DIST/kord-desktop$suffix-$VERSION-linux-$MACHINE.tar.gz
  echo "== .tar.gz ($FLAVOUR)"
  rm -rf "$tarroot"
  mkdir -p "$tarroot/$top/share"
  cp -a "$bundle/." "$tarroot/$top/"
  cp "$LINUX/kord-desktop.desktop" "$LINUX/install-desktop-entry.sh" "$tarroot/$top/share/"
  cp resources/icons/kord-desktop-256.png resources/icons/kord-desktop.svg "$tarroot/$top/share/"
  cp "$LINUX/README-portable.txt" "$tarroot/$top/README.txt"
  tar -C "$tarroot" --owner=0 --group=0 -czf "$tgz.partial" "$top"
  mv "$tgz.partial" "$tgz"
  echo "   $tgz: $(du -h "$tgz" | cut -f1)"
}

build_flavour() {
  FLAVOUR=$1
  local pkg=kord-desktop other=kord-desktop-full suffix="" started=$SECONDS
  if [ "$FLAVOUR" = full ]; then
    pkg=kord-desktop-full other=kord-desktop suffix=-full
    "$PY" -c "import torch" 2>/dev/null ||
      { echo "build-linux: the full build needs torch (pip install -e '.[train]')" >&2; exit 1; }
  fi
  local work=$BUILD/$FLAVOUR
  build_bundle "$work"
  if [[ " $ARTEFACTS " == *" deb "* ]]; then make_deb "$work" "$pkg" "$other"; fi
  if [[ " $ARTEFACTS " == *" tar "* ]]; then make_tar "$work" "$suffix"; fi
  echo "   $FLAVOUR done in $((SECONDS - started)) s"
}

for flavour in "${FLAVOURS[@]}"; do
  build_flavour "$flavour"
done
