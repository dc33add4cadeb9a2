#!/usr/bin/env bash
# Set up Kord Desktop on this machine: system libraries (when root on Debian/Ubuntu), a virtual
# environment in .venv, and the package with the chosen extras.
#   scripts/setup.sh            app + training + dev tools (what the tests need)
#   scripts/setup.sh --app      just the app (no torch, no dev tools)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-full}

APP_DEBS="libportaudio2 libsndfile1 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
  libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 fonts-dejavu-core"
TEST_DEBS="pulseaudio pulseaudio-utils libasound2-plugins fluidsynth fluid-soundfont-gm timgm6mb-soundfont xvfb"
debs=$APP_DEBS
[ "$MODE" = "--app" ] || debs="$debs $TEST_DEBS"

missing=""
if command -v dpkg >/dev/null; then
  for d in $debs; do dpkg -s "$d" >/dev/null 2>&1 || missing="$missing $d"; done
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Please install these system packages first (e.g. sudo apt-get install ...):$missing" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
pip_args=(--disable-pip-version-check -q)
[ -d /opt/wheels ] && pip_args+=(--find-links /opt/wheels)
.venv/bin/python -m pip install "${pip_args[@]}" --upgrade pip >/dev/null
if [ "$MODE" = "--app" ]; then
  .venv/bin/python -m pip install "${pip_args[@]}" -e .
else
  .venv/bin/python -m pip install "${pip_args[@]}" -e ".[train,dev,midi]"
fi
echo "Kord Desktop is set up in .venv (kord, kord-desktop)."
