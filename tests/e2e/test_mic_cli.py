"""`kord analyze mic` end to end: the CLI records the default input while a chord plays."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def kord(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kord_engine", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_analyze_mic_json_names_the_playing_chord(play, render):
    audio, rate = render([([60, 64, 67], 10.0)])
    playback = play(audio, rate)
    # the recording must fall inside the chord: wait until the output stream really plays
    # (on two busy cores opening it can take seconds) and its queue has reached the sink
    deadline = time.monotonic() + 20
    while playback.started_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert playback.started_at is not None, "the playback never started"
    time.sleep(0.5)
    proc = kord("analyze", "mic", "--seconds", "2", "--json")
    playing = time.monotonic() - playback.started_at
    playback.stop()  # the chord lasts long enough for a slow start-up; no need to hear it all
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) >= {"device", "notes", "pitch_classes", "bass", "chords", "confidence"}
    assert result["pitch_classes"] == [0, 4, 7], (result, proc.stderr, f"{playing:.1f} s played")
    assert result["chords"][0] == "C"
    assert "Listening for 2 s" in proc.stderr


def test_analyze_mic_live_prints_the_chord_change(play, render):
    audio, rate = render([([57, 60, 64], 2.5)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "kord_engine", "analyze", "mic", "--live", "--seconds", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        for line in proc.stderr:  # "Listening on …" is printed once audio flows
            if "Listening on" in line:
                break
        else:
            pytest.fail("kord analyze mic --live never started listening")
        time.sleep(0.2)
        play(audio, rate).join()
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, err
    assert "Am" in lines[0] and "(C E A, bass A," in lines[0]
    assert all("s  " in line for line in lines)


def test_analyze_mic_unknown_device_is_one_line_error(pulse_loopback):
    proc = kord("analyze", "mic", "--device", "no such device", "--seconds", "1")
    assert proc.returncode == 2
    assert proc.stderr.startswith("kord: error: no audio input device matches 'no such device'")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
