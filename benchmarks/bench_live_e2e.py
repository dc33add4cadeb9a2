"""Live chord labels end to end: what a musician sees while playing (prints figures, asserts
nothing).

    .venv/bin/python benchmarks/bench_live_e2e.py                 # live (null sink) + offline
    .venv/bin/python benchmarks/bench_live_e2e.py --offline-only  # in-process, no audio device
    .venv/bin/python benchmarks/bench_live_e2e.py --set heldout   # other GM programs

Renders progressions with fluidsynth (several GM programs per instrument family from both
FluidR3_GM and TimGM6mb; random roots, qualities, inversions and voicings; chords of 0.5–2 s;
sustained families partly legato: the next chord starts with no gap, common tones held, no
new attack) and measures them three ways:

* live: each song is played through a private PulseAudio null sink into the real
  `kord analyze mic --live --json` subprocess. Every printed line is stamped with the wall
  time it arrived; the bench records the sink's monitor itself to learn when the song's first
  sound reached the input side, so the times are what a musician sees (from the sound
  reaching the computer to the label on screen; the output half of the loopback, ~16 ms here,
  is left out);
* in-process (--offline-only, or --in-process as well): the same files fed through
  LiveAnalyzer.process_block, labels at their stream time (no capture latency, no CPU race);
* offline: `kord analyze file --timeline --json` on the same files (in-process with
  --offline-only: timeline_clip).

Figures: frame accuracy at 10 ms frames over the chords' spans (pitch-class set right; bass
right; both), the share of chords ever shown right (set and bass) during their span, and
onset → first right label (median, p90) overall and by instrument family. Labels count as
shown whether provisional or not.

`--root DIR` measures another checkout (e.g. `git worktree add /tmp/before HEAD`) with this
script's songs; renders are cached under .hidden/bench/live_e2e/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))  # tests.support: this checkout's, whatever --root measures
from tests.support.null_sink import NullSinkError, private_null_sink  # noqa: E402

RATE = 48000
FRAME = 0.01
CACHE = HERE / ".hidden" / "bench" / "live_e2e"

#: family → (GM programs of the "dev" set, of the "heldout" set, sustained: may play legato)
FAMILIES: dict[str, tuple[tuple[int, ...], tuple[int, ...], bool]] = {
    "piano": ((0, 4), (1, 5), False),  # grand, rhodes | bright, e-piano 2
    "guitar": ((24, 25), (26, 27), False),  # nylon, steel | jazz, clean electric
    "mallets": ((11,), (12,), False),  # vibraphone | marimba
    "organ": ((19, 16), (20, 17), True),  # church, drawbar | reed, percussive
    "strings": ((48, 49), (50, 44), True),  # ensemble, slow | synth strings, tremolo
    "pad": ((89, 88), (90, 91), True),  # warm, new age | polysynth, choir pad
    "brass/voice": ((61,), (52,), True),  # brass section | choir aahs
}
FONTS = ("FluidR3_GM.sf2", "TimGM6mb.sf2")
#: interval sets and how often they are drawn
QUALITIES: list[tuple[tuple[int, ...], float]] = [
    ((0, 4, 7), 3.0),
    ((0, 3, 7), 3.0),
    ((0, 4, 7, 10), 2.0),
    ((0, 3, 7, 10), 1.5),
    ((0, 4, 7, 11), 1.0),
    ((0, 3, 6), 0.5),
    ((0, 5, 7), 0.6),
    ((0, 2, 7), 0.4),
    ((0, 4, 8), 0.3),
    ((0, 4, 7, 9), 0.5),
    ((0, 3, 6, 10), 0.5),
    ((0, 3, 6, 9), 0.3),
    ((0, 4, 7, 14), 0.4),
]
DURATIONS = (0.5, 0.75, 1.0, 1.0, 1.25, 1.5, 2.0)


@dataclass
class Chord:
    notes: tuple[int, ...]
    start: float
    end: float

    @property
    def pcs(self) -> tuple[int, ...]:
        return tuple(sorted({n % 12 for n in self.notes}))

    @property
    def bass(self) -> int:
        return min(self.notes) % 12


@dataclass
class Song:
    name: str
    family: str
    program: int
    font: str
    legato: bool
    chords: list[Chord]
    wav: Path | None = None

    @property
    def duration(self) -> float:
        return self.chords[-1].end


@dataclass
class Labels:
    """A label timeline: (time, pitch classes, bass, provisional) per change, time-ordered."""

    times: list[float] = field(default_factory=list)
    labels: list[tuple[tuple[int, ...], int | None, bool]] = field(default_factory=list)
    entries: int = 0  # history entries: labels that do not refine the one before in place

    def add(self, t: float, pcs, bass, provisional: bool = False, refines: bool = False) -> None:
        self.times.append(float(t))
        self.labels.append((tuple(pcs), bass, bool(provisional)))
        self.entries += not refines

    def at(self, t: np.ndarray) -> list[tuple[tuple[int, ...], int | None, bool] | None]:
        idx = np.searchsorted(np.asarray(self.times), t, side="right") - 1
        return [self.labels[i] if i >= 0 else None for i in idx]


# -- songs ------------------------------------------------------------------------------------
def voicing(rng: random.Random, root: int, quality: tuple[int, ...]) -> tuple[int, ...]:
    """A random inversion and spread of root + quality: bass between E2 and C4."""
    pcs = [(root + q) % 12 for q in quality]
    inv = rng.randrange(len(pcs))
    order = pcs[inv:] + pcs[:inv]
    bass = rng.randint(40, 60)
    bass -= (bass - order[0]) % 12
    if bass < 40:
        bass += 12
    shape = rng.choice(("close", "close", "open", "spread", "doubled"))
    notes = [bass]
    # open: the upper part starts a fifth or an octave over the bass
    floor = bass + (rng.choice((7, 12)) if shape == "open" else 1)
    for pc in order[1:]:
        n = max(floor, notes[-1] + 1)
        while n % 12 != pc:
            n += 1
        if shape == "spread" and rng.random() < 0.4:
            n += 12
        notes.append(n)
    if shape == "doubled":
        notes.append(bass + 12 * rng.choice((1, 2)))
    notes = sorted(set(n for n in notes if n <= 88))
    return tuple(notes)


def make_songs(which: str, chords_per_song: int, seed: int) -> list[Song]:
    songs = []
    rng = random.Random(f"{which}-{seed}")
    weights = [w for _, w in QUALITIES]
    for family, (dev, heldout, sustained) in FAMILIES.items():
        for program in dev if which == "dev" else heldout:
            for fi, font in enumerate(FONTS):
                legato = sustained and (fi + program) % 2 == 0
                long_notes = sustained and not legato
                t, chords = 0.0, []
                for _ in range(chords_per_song):
                    root = rng.randrange(12)
                    quality = rng.choices([q for q, _ in QUALITIES], weights)[0]
                    notes = voicing(rng, root, quality)
                    dur = rng.choice(DURATIONS[3:] if long_notes else DURATIONS)
                    if chords and set(notes) == set(chords[-1].notes):
                        continue
                    chords.append(Chord(notes, t, t + dur))
                    t += dur
                tag = family.replace("/", "-")
                name = (
                    f"{which}{seed}-{tag}-{program}-{Path(font).stem}{'-legato' if legato else ''}"
                )
                songs.append(Song(name, family, program, font, legato, chords))
    return songs


def write_midi(song: Song, path: Path) -> None:
    """The song as MIDI: chords back to back; legato songs hold common tones (no new attack)."""
    import mido

    ppq, tempo = 480, 500_000
    tps = ppq * 1_000_000 / tempo
    msgs: list[tuple[float, int, str, int]] = []  # (time, order, kind, note)
    prev: set[int] = set()
    for i, ch in enumerate(song.chords):
        now = set(ch.notes)
        nxt = set(song.chords[i + 1].notes) if i + 1 < len(song.chords) else set()
        for n in sorted(now - prev if song.legato else now):
            msgs.append((ch.start, 1, "note_on", n))
        for n in sorted(now - nxt if song.legato else now):
            msgs.append((ch.end, 0, "note_off", n))
        prev = now
    msgs.sort()
    mid = mido.MidiFile(ticks_per_beat=ppq)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.Message("program_change", program=song.program, channel=0, time=0))
    last = 0
    for t, _, kind, note in msgs:
        tick = int(round(t * tps))
        vel = 90 if kind == "note_on" else 0
        track.append(mido.Message(kind, note=note, velocity=vel, channel=0, time=tick - last))
        last = tick
    track.append(mido.MetaMessage("end_of_track", time=int(tps)))
    mid.save(str(path))


def render(songs: list[Song]) -> None:
    from kord_engine.audio.sound.fluidsynth import find_soundfonts, render_midi

    fonts = {f.name: f for f in find_soundfonts()}
    CACHE.mkdir(parents=True, exist_ok=True)
    for song in songs:
        # keyed on the song itself: runs with other options (--chords, --seed) at the same time
        # never render over each other's files, and a render lands whole (written, renamed)
        want = json.dumps([[list(c.notes), c.start, c.end] for c in song.chords])
        key = hashlib.sha1(f"{song.program} {song.font} {song.legato} {want}".encode()).hexdigest()
        wav = CACHE / f"{song.name}-{key[:10]}.wav"
        if not wav.exists():
            midi = CACHE / f".{wav.stem}-{os.getpid()}.mid"
            part = CACHE / f".{wav.stem}-{os.getpid()}.wav"
            write_midi(song, midi)
            render_midi(midi, part, fonts[song.font], RATE)
            part.replace(wav)
            midi.unlink(missing_ok=True)
        song.wav = wav


def load(song: Song) -> np.ndarray:
    from kord_engine.audio.input.decode import load_audio

    clip = load_audio(song.wav)
    assert clip.sample_rate == RATE, clip.sample_rate
    return clip.samples.astype(np.float32)


# -- scoring ------------------------------------------------------------------------------------
@dataclass
class Score:
    frames: int = 0
    sets: int = 0
    bass: int = 0
    both: int = 0
    chords: int = 0
    shown: int = 0
    latency: dict[str, list[float]] = field(default_factory=dict)
    provisional_lines: int = 0
    lines: int = 0
    entries: int = 0  # history entries (lines that do not refine the one before)

    def add(self, other: Score) -> None:
        keys = ("frames", "sets", "bass", "both", "chords", "shown", "provisional_lines", "entries")
        for k in keys:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.lines += other.lines
        for fam, vals in other.latency.items():
            self.latency.setdefault(fam, []).extend(vals)


def score(song: Song, labels: Labels) -> Score:
    s = Score(
        lines=len(labels.times),
        provisional_lines=sum(p for *_, p in labels.labels),
        entries=labels.entries,
    )
    for ch in song.chords:
        t = np.arange(ch.start, ch.end - 1e-9, FRAME) + FRAME / 2
        got = labels.at(t)
        ok_set = np.array([g is not None and g[0] == ch.pcs for g in got])
        ok_bass = np.array([g is not None and g[1] == ch.bass for g in got])
        s.frames += len(t)
        s.sets += int(ok_set.sum())
        s.bass += int(ok_bass.sum())
        s.both += int((ok_set & ok_bass).sum())
        s.chords += 1
        # the first right label: shown at onset (carried over) or changed to inside the span
        first = None
        if got and ok_set[0] and ok_bass[0]:
            first = ch.start
        else:
            for lt, (pcs, bass, _) in zip(labels.times, labels.labels, strict=True):
                if ch.start <= lt < ch.end and pcs == ch.pcs and bass == ch.bass:
                    first = lt
                    break
        if first is not None:
            s.shown += 1
            s.latency.setdefault(song.family, []).append(first - ch.start)
    return s


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / max(1, b):5.1f} %"


def report(title: str, total: Score) -> None:
    print(f"== {title}")
    print(
        f"   frames (10 ms): sets {pct(total.sets, total.frames)}, bass {pct(total.bass, total.frames)}"
        f", both {pct(total.both, total.frames)}; chords ever shown right "
        f"{pct(total.shown, total.chords)} ({total.shown}/{total.chords})"
    )
    every = [v for vals in total.latency.values() for v in vals]
    if every:
        print(
            f"   onset → first right label: median {np.median(every) * 1000:.0f} ms, "
            f"p90 {np.percentile(every, 90) * 1000:.0f} ms"
            + (
                f"; {total.lines} label lines ({total.provisional_lines} provisional), "
                f"{total.entries} history entries for {total.chords} chords"
                if total.provisional_lines
                else f"; {total.entries} labels for {total.chords} chords"
            )
        )
    for fam in FAMILIES:
        vals = total.latency.get(fam)
        if vals:
            print(
                f"     {fam:<12} median {np.median(vals) * 1000:4.0f} ms, "
                f"p90 {np.percentile(vals, 90) * 1000:4.0f} ms ({len(vals)} shown)"
            )


# -- the three ways ---------------------------------------------------------------------------
def in_process(song: Song, audio: np.ndarray, detector: str) -> Labels:
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.listen.live import AnalyzerConfig, LiveAnalyzer

    analyzer = LiveAnalyzer(make_detector(detector), AnalyzerConfig(spectrum_points=0))
    labels = Labels()
    # a little silence first, as a real stream has before the music starts
    lead = 0.3
    feed = np.concatenate([np.zeros(int(lead * RATE), np.float32), audio])
    for e in analyzer.process_block(feed, RATE):
        if e.changed:
            st = e.stable
            labels.add(
                e.timestamp - lead,
                st.pitch_classes if st else (),
                st.bass if st else None,
                bool(getattr(e, "stable_provisional", False)),
                bool(getattr(e, "refined", False)),
            )
    return labels


def offline_in_process(song: Song, audio: np.ndarray, detector: str) -> Labels:
    from kord_engine.audio.input.decode import AudioClip
    from kord_engine.audio.listen.analysis import timeline_clip

    clip = AudioClip(samples=audio, sample_rate=RATE, channels=1, path=str(song.wav))
    labels = Labels()
    for seg in timeline_clip(clip, detector):
        labels.add(seg.start, seg.pitch_classes, seg.bass)
    return labels


def offline_cli(song: Song, root: Path, detector: str) -> Labels:
    proc = subprocess.run(
        [sys.executable, "-m", "kord_engine", "analyze", "file", str(song.wav), "--timeline"]
        + ["--json", "--detector", detector],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    labels = Labels()
    for seg in json.loads(proc.stdout)["segments"]:
        labels.add(seg["start"], seg["pitch_classes"], seg["bass"])
    return labels


def live(song: Song, audio: np.ndarray, root: Path, detector: str) -> tuple[Labels, dict]:
    """Play `audio` into the live CLI; labels in song time (see the module docstring)."""
    import sounddevice as sd

    seconds = song.duration + 3.0
    cmd = [sys.executable, "-m", "kord_engine", "analyze", "mic", "--live", "--json"]
    cmd += ["--seconds", f"{seconds + 3:.1f}", "--detector", detector]
    proc = subprocess.Popen(
        cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    lines: list[tuple[float, dict]] = []
    err: list[str] = []

    def read_out() -> None:
        for line in proc.stdout:
            if line.strip():
                lines.append((time.monotonic(), json.loads(line)))

    listening = threading.Event()

    def read_err() -> None:
        for line in proc.stderr:
            err.append(line)
            if "Listening on" in line:
                listening.set()

    threads = [threading.Thread(target=f, daemon=True) for f in (read_out, read_err)]
    for th in threads:
        th.start()
    if not listening.wait(30):
        proc.kill()
        raise RuntimeError("the live CLI never started listening: " + "".join(err))
    time.sleep(0.5)
    blocks: list[tuple[float, np.ndarray]] = []

    def on_input(indata, frames, t, status) -> None:
        blocks.append((time.monotonic(), indata[:, 0].copy()))

    # played from a callback over the whole buffer: a writer thread that falls behind (two
    # busy cores) would put silences — false attacks — into the song
    song = np.concatenate([audio, np.zeros(RATE // 2, np.float32)])
    pos = 0
    done = threading.Event()

    def on_output(outdata, frames, t, status) -> None:
        nonlocal pos
        part = song[pos : pos + frames]
        outdata[: part.shape[0], 0] = part
        outdata[part.shape[0] :, 0] = 0.0
        pos += frames
        if pos >= song.shape[0]:
            done.set()

    with sd.InputStream(samplerate=RATE, channels=1, dtype="float32", callback=on_input):
        time.sleep(0.3)
        with sd.OutputStream(
            samplerate=RATE, channels=1, dtype="float32", callback=on_output, latency=0.25
        ):  # 0.25 s queued: PortAudio's "high" (35 ms here) underran on two busy cores, and
            # each silence that left in a chord was a false attack (the times are measured
            # from the bench's own recording, so the queue does not count in them)
            done.wait(song.shape[0] / RATE + 10)
        time.sleep(0.5)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    for th in threads:
        th.join(2)
    # when the first sound arrived: the first sample above the threshold in the recording,
    # dated from the arrival of its block; the render's first such sample is song time
    thr = 0.1 * float(np.max(np.abs(audio[: RATE // 2]))) + 1e-4
    first_song = int(np.argmax(np.abs(audio) > thr)) / RATE
    arrival = None
    for t_block, block in blocks:
        hit = np.flatnonzero(np.abs(block) > thr)
        if hit.size:
            arrival = t_block - (len(block) - hit[0]) / RATE
            break
    if arrival is None:
        raise RuntimeError("the bench's own recording never heard the song")
    zero = arrival - first_song  # wall time of song time 0
    labels = Labels()
    for t_wall, rec in lines:
        labels.add(
            t_wall - zero,
            rec["pitch_classes"],
            rec.get("bass"),
            bool(rec.get("provisional")),
            bool(rec.get("refines")),
        )
    # the CLI's own stream times of its lines against their arrival: the spread is the
    # printing delay's (processing, scheduling)
    lag = np.array([t_wall - zero - rec["time"] for t_wall, rec in lines])
    return labels, {"stderr": "".join(err[-3:]), "lag": lag - lag.min() if lag.size else lag}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "heldout"), default="dev")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chords", type=int, default=8, help="chords per song")
    parser.add_argument("--detector", default="hybrid")
    parser.add_argument("--offline-only", action="store_true", help="in-process, no audio device")
    parser.add_argument(
        "--in-process", action="store_true", help="with the live run: the in-process figures too"
    )
    parser.add_argument("--root", type=Path, default=HERE, help="checkout to measure")
    parser.add_argument("--only", default=None, help="songs whose name contains this")
    parser.add_argument("--verbose", "-v", action="store_true", help="per-song lines")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    import kord_engine

    songs = make_songs(args.set, args.chords, args.seed)
    if args.only:
        songs = [s for s in songs if args.only in s.name]
    render(songs)
    total_chords = sum(len(s.chords) for s in songs)
    total_s = sum(s.duration for s in songs)
    print(
        f"{len(songs)} songs ({args.set} set, seed {args.seed}), {total_chords} chords, "
        f"{total_s:.0f} s; detector {args.detector}; engine {Path(kord_engine.__file__).parent}"
    )
    ways: dict[str, Score] = {}
    names = []
    if not args.offline_only:
        names.append("live (kord analyze mic --live --json through the null sink)")
    if args.offline_only or args.in_process:
        names.append("in-process (LiveAnalyzer.process_block)")
    names.append(
        "offline timeline ("
        + ("timeline_clip" if args.offline_only else "kord analyze file")
        + " --timeline)"
    )
    for n in names:
        ways[n] = Score()
    sink = None
    if not args.offline_only:  # a private sink for this process and its children
        try:
            sink = private_null_sink("kord_bench_e2e", rate=RATE)
            sink.__enter__()
        except NullSinkError as exc:
            raise SystemExit(f"no private null sink for the live run: {exc}") from exc
    try:
        for song in songs:
            audio = load(song)
            per = {}
            for n in names:
                if n.startswith("live"):
                    labels, info = live(song, audio, root, args.detector)
                    if args.verbose and info["lag"].size:
                        lag = info["lag"] * 1000
                        print(
                            f"    line arrival − stream time, above its minimum: median "
                            f"{np.median(lag):.0f} ms, p90 {np.percentile(lag, 90):.0f} ms"
                        )
                elif n.startswith("in-process"):
                    labels = in_process(song, audio, args.detector)
                elif args.offline_only:
                    labels = offline_in_process(song, audio, args.detector)
                else:
                    labels = offline_cli(song, root, args.detector)
                sc = score(song, labels)
                ways[n].add(sc)
                per[n.split(" ")[0]] = sc
            if args.verbose:
                print(
                    f"  {song.name:<44} "
                    + "  ".join(
                        f"{k}: sets {pct(v.sets, v.frames)} bass {pct(v.bass, v.frames)} "
                        f"shown {v.shown}/{v.chords}"
                        for k, v in per.items()
                    ),
                    flush=True,
                )
    finally:
        if sink is not None:
            sink.__exit__(None, None, None)
    for n, sc in ways.items():
        report(n, sc)


if __name__ == "__main__":
    main()
