"""Synth speed and output latency: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_synth.py [--blocks 2000] [--voices 32] [--no-device]

* time to render one 256-frame block with N held voices, per timbre (median, p99, max);
* offline rendering speed (× real time) of a 10-note piano chord;
* key-to-sound latency on the default output: stream.latency + blocksize / sample rate.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.audio.sound.wav import render_offline

BLOCK = 256


def block_times(timbre: str, voices: int, blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """(wall, CPU) seconds per render(BLOCK) with `voices` notes held (after a warm-up).
    CPU time (this thread only) leaves out time the OS gave to other processes."""
    synth = Synth(SynthConfig(timbre=timbre, max_voices=max(48, voices)))
    for k in range(voices):
        synth.note_on(36 + k, 0.8)
    for _ in range(20):
        synth.render(BLOCK)
    wall = np.empty(blocks)
    cpu = np.empty(blocks)
    for i in range(blocks):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        synth.render(BLOCK)
        wall[i] = time.perf_counter() - t0
        cpu[i] = time.thread_time() - c0
    # Piano voices decay on their own: make sure they were all still sounding.
    assert synth.active_voices == voices, synth.active_voices
    return wall, cpu


def offline_speed(seconds: float = 10.0) -> tuple[float, float]:
    """(wall, CPU) speed of offline rendering, as multiples of real time."""
    synth = Synth(SynthConfig(timbre="piano"))
    synth.play_chord([36, 43, 48, 52, 55, 60, 64, 67, 72, 76], duration=seconds - 0.3)
    c0 = time.thread_time()
    t0 = time.perf_counter()
    render_offline(synth, seconds, blocksize=1024)
    return seconds / (time.perf_counter() - t0), seconds / (time.thread_time() - c0)


def output_latency(blocksize: int = BLOCK) -> None:
    from kord_engine.audio.sound.player import Player
    from kord_engine.errors import DeviceError

    for latency in ("low", "high"):
        synth = Synth(SynthConfig(timbre="sine"))
        player = Player(synth, blocksize=blocksize, latency=latency)
        try:
            player.start()
        except DeviceError as exc:
            print(f"output latency: no output device ({exc})")
            return
        try:
            time.sleep(0.3)
            name = player.device.name if player.device else "?"
            print(
                f"output '{name}' latency={latency!r}: stream.latency "
                f"{player.latency * 1e3:.2f} ms + block {blocksize / player.sample_rate * 1e3:.2f}"
                f" ms = key-to-sound {player.key_to_sound * 1e3:.2f} ms "
                f"({player.sample_rate} Hz, {player.underflows} underflows)"
            )
        finally:
            player.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=2000)
    parser.add_argument("--voices", type=int, default=32)
    parser.add_argument("--no-device", action="store_true")
    args = parser.parse_args()

    print(
        f"render {BLOCK}-frame block ({BLOCK / 48:.2f} ms of audio at 48 kHz), "
        f"{args.voices} voices, {args.blocks} blocks"
    )
    for timbre in ("piano", "organ", "sine"):
        wall, cpu = (t * 1e3 for t in block_times(timbre, args.voices, args.blocks))
        print(
            f"  {timbre:6s} wall median {np.median(wall):.3f} ms  p99 {np.percentile(wall, 99):.3f}"
            f" ms | CPU median {np.median(cpu):.3f} ms  p99 {np.percentile(cpu, 99):.3f} ms"
            f"  ({np.median(wall) / (BLOCK / 48):.0%} of real time)"
        )
    wall, cpu = offline_speed()
    print(f"offline: 10-note piano chord renders at {wall:.0f}× real time ({cpu:.0f}× in CPU time)")
    if not args.no_device:
        output_latency()


if __name__ == "__main__":
    main()
