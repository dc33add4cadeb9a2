#!/bin/sh
# Add (or with --remove, drop) a "Kord" menu entry for this unpacked folder, for this user only.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
apps=${XDG_DATA_HOME:-$HOME/.local/share}/applications
icons=${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor
if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/kord-desktop.desktop" "$icons/256x256/apps/kord-desktop.png" \
        "$icons/scalable/apps/kord-desktop.svg"
    echo "Removed the Kord menu entry."
    exit 0
fi
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps"
cp "$here/share/kord-desktop-256.png" "$icons/256x256/apps/kord-desktop.png"
cp "$here/share/kord-desktop.svg" "$icons/scalable/apps/kord-desktop.svg"
sed -e "s|^Exec=kord-desktop|Exec=\"$here/kord-desktop\"|" \
    -e "s|^TryExec=kord-desktop|TryExec=$here/kord-desktop|" \
    "$here/share/kord-desktop.desktop" >"$apps/kord-desktop.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
echo "Added Kord to the menu ($apps/kord-desktop.desktop)."
