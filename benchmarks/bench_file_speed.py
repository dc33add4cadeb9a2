"""File-analysis speed: real-time factor of analyze_file / analyze_timeline on a 60 s file, and
per-window detector time (median, p99). Prints figures; run:
.venv/bin/python benchmarks/bench_file_speed.py"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.audio.listen.analysis import analyze_file, analyze_timeline  # noqa: E402
from kord_engine.audio.listen.detect import make_detector  # noqa: E402

CACHE = ROOT / ".hidden" / "bench" / "speed"


def sixty_second_file() -> Path:
    """60 s of changing chords (fluidsynth piano if available, else synthetic), 44.1 kHz."""
    path = CACHE / "sixty.wav"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    prog = [[48, 52, 55], [45, 52, 57, 60], [53, 57, 60], [43, 55, 59, 62, 65]] * 8
    try:
        from kord_engine.audio.sound.fluidsynth import (
            find_soundfonts,
            render_midi,
            write_chords_midi,
        )

        midi = write_chords_midi([(c, 1.875) for c in prog], 0, 90, CACHE / "sixty.mid")
        render_midi(midi, path, find_soundfonts()[0], 44100)
    except Exception:  # noqa: BLE001 - fall back to synthetic audio
        import soundfile as sf

        rate = 44100
        t = np.arange(int(1.875 * rate)) / rate
        parts = [
            sum(0.1 * np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t) for m in c) for c in prog
        ]
        sf.write(str(path), np.concatenate(parts).astype(np.float32), rate)
    return path


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    path = sixty_second_file()
    import soundfile as sf

    duration = sf.info(str(path)).duration
    print(f"file: {path.name}, {duration:.1f} s")
    for det in ("default", "kord"):
        t = timed(lambda d=det: analyze_file(path, d))
        print(
            f"analyze_file  detector={det:7s} {1000 * t:8.1f} ms  real-time factor {duration / t:8.0f}×"
        )
    for det, hop in (("default", 0.2), ("default", 0.1), ("kord", 0.5)):
        t = timed(lambda d=det, h=hop: analyze_timeline(path, d, hop=h), repeat=1)
        print(
            f"timeline      detector={det:7s} hop {hop:.2f} s {1000 * t:8.1f} ms  real-time factor {duration / t:6.0f}×"
        )
    from kord_engine.audio.input.decode import load_audio

    clip = load_audio(path)
    rng = np.random.default_rng(0)
    for name, seconds, rate in (
        ("default", 0.5, 44100),
        ("default", 0.5, 48000),
        ("default", 0.25, 48000),
        ("kord", 1.0, 44100),
    ):
        det = make_detector(name, window_seconds=seconds)
        n = int(seconds * rate)
        x = clip.samples
        times = []
        for _ in range(200 if name == "default" else 40):
            a = int(rng.integers(0, len(x) - n))
            t = time.perf_counter()
            det.detect(x[a : a + n], rate)
            times.append(time.perf_counter() - t)
        ms = 1000 * np.array(times)
        print(
            f"per window    detector={name:7s} {seconds:.2f} s @ {rate} Hz: median {np.median(ms):6.2f} ms, p99 {np.percentile(ms, 99):6.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
