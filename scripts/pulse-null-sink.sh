#!/usr/bin/env bash
# Start a PulseAudio daemon with a null sink so tests have a real audio path without hardware:
# what is played to the default output comes back on the default input (the sink's monitor).
# Idempotent: does nothing if a daemon already answers. Usage: source it or run it.
set -euo pipefail
SINK=${KORD_PULSE_SINK:-kord_null}
if pactl info >/dev/null 2>&1; then
  exit 0
fi
command -v pulseaudio >/dev/null || { echo "pulseaudio is not installed (apt-get install pulseaudio libasound2-plugins)" >&2; exit 1; }
conf=$(mktemp /tmp/kord-pulse.XXXXXX.pa)
cat >"$conf" <<PA
load-module module-native-protocol-unix auth-anonymous=1
load-module module-null-sink sink_name=$SINK rate=48000 sink_properties=device.description=KordNullSink
set-default-sink $SINK
set-default-source $SINK.monitor
PA
pulseaudio --daemonize=yes --exit-idle-time=-1 --system=false -n -F "$conf" --log-target=stderr 2>/tmp/kord-pulse.log || true
for _ in $(seq 1 50); do
  pactl info >/dev/null 2>&1 && break
  sleep 0.1
done
pactl info >/dev/null 2>&1 || { echo "PulseAudio did not start; see /tmp/kord-pulse.log" >&2; cat /tmp/kord-pulse.log >&2; exit 1; }
echo "PulseAudio null sink '$SINK' is up (default output → default input)."
