#!/usr/bin/env bash
# The installer tests, which the default test run skips (building the bundle takes minutes):
# builds the player .deb unless installer/dist holds one newer than the sources, installs it
# (dpkg -i as root, else dpkg-deb -x into a read-only temp root), runs `kord` and
# `kord-desktop --offscreen-smoke` from it as a fresh user, purges it; then the wheel/sdist test.
#   installer/test-installers.sh [pytest args]
# Env: KORD_INSTALLER_REBUILD=1 forces a fresh build; KORD_INSTALL_DEPS=1 (root, apt) first
# installs the packages the .deb depends on (CI runners); KORD_INSTALLER_NO_ROOT=1 never dpkg -i.
set -euo pipefail
cd "$(dirname "$0")/.."
export KORD_INSTALLER_TESTS=1 QT_QPA_PLATFORM=offscreen PYTHONUNBUFFERED=1
if [ "${KORD_INSTALL_DEPS:-0}" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  version=$(.venv/bin/python -c "import kord_engine; print(kord_engine.__version__)")
  deb=installer/dist/kord-desktop_${version}_$(dpkg --print-architecture).deb
  [ -f "$deb" ] || KORD_LINUX_ARTEFACTS=deb KORD_DEB_COMPRESS=zstd installer/build-linux.sh player
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq --no-install-recommends \
    "$(dpkg-deb -f "$deb" Depends)" >/dev/null
fi
exec .venv/bin/python -m pytest -m installer -p no:cacheprovider tests/installer "$@"
