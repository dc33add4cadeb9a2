"""Our default detector: rendered chords (fluidsynth), synthetic tones, noise, silence, the
.bin spectrum entry point, file analysis and timelines, and the detector registry."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.listen.analysis import (
    Segment,
    analyze_file,
    analyze_timeline,
    hold_through_silence,
    merge_segments,
)
from kord_engine.audio.listen.detect import DETECTORS, make_detector
from kord_engine.audio.listen.detect.harmonic import HarmonicDetector
from kord_engine.audio.listen.detection import Detection, Detector
from kord_engine.errors import AudioError, KordError
from tests.audio_fixtures import RENDERED_CHORDS, harmonic_chord, have_fluidsynth, write_wav

CHORD_SECONDS, GAP = 1.0, 0.25


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """The RENDERED_CHORDS on FluidR3 piano, one after another: (audio, rate, spans)."""
    if not have_fluidsynth():
        pytest.skip("fluidsynth or a soundfont is missing")
    from kord_engine.audio.sound.fluidsynth import render_chords

    tmp = tmp_path_factory.mktemp("render")
    chords = [(list(m), CHORD_SECONDS) for m, _, _ in RENDERED_CHORDS]
    audio, rate, spans = render_chords(chords, program=0, gap=GAP, workdir=tmp)
    return audio, rate, spans


def test_registry_builds_each_detector():
    assert set(DETECTORS) == {"default", "kord", "ml", "hybrid"}
    for name in ("default", "kord"):
        det = make_detector(name)
        assert isinstance(det, Detector) and det.name == name
    with pytest.raises(KordError, match="unknown detector"):
        make_detector("nope")


def test_rendered_piano_chords(rendered):
    audio, rate, spans = rendered
    det = HarmonicDetector()
    for (start, _end, _notes), (_m, pcs, bass) in zip(spans, RENDERED_CHORDS, strict=True):
        a = int((start + 0.15) * rate)
        d = det.detect(audio[a : a + int(0.5 * rate)], rate)
        assert d.pitch_classes == pcs, (start, d.notes)
        assert d.bass == bass
        assert 0 < d.confidence <= 1


def test_rendered_first_chord_is_named_c(rendered):
    audio, rate, spans = rendered
    a = int(0.15 * rate)
    d = HarmonicDetector().detect(audio[a : a + rate // 2], rate)
    assert d.chord == "C"


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_synthetic_chord_any_rate(rate):
    x = harmonic_chord([50, 54, 57, 60], rate, 0.5)  # D3 F♯3 A3 C4 = D7
    d = HarmonicDetector().detect(x, rate)
    assert d.notes == (38, 42, 45, 48)
    assert d.pitch_classes == (0, 2, 6, 9) and d.bass == 2


def test_noise_does_not_change_the_chord():
    x = harmonic_chord([45, 52, 57, 60, 64], 48000, 0.5, noise=0.01, seed=3)  # Am with noise
    d = HarmonicDetector().detect(x, 48000)
    assert d.pitch_classes == (0, 4, 9) and d.bass == 9


def test_silence_and_noise_only_give_no_notes():
    det = HarmonicDetector()
    assert det.detect(np.zeros(24000, np.float32), 48000).is_empty
    assert det.detect(np.zeros(0, np.float32), 48000).is_empty
    quiet = (1e-5 * np.random.default_rng(0).standard_normal(24000)).astype(np.float32)
    assert det.detect(quiet, 48000).is_empty


def test_uses_only_the_last_window():
    rate = 48000
    x = np.concatenate(
        [harmonic_chord([48, 52, 55], rate, 1.0), harmonic_chord([57, 60, 64], rate, 0.5)]
    )
    d = HarmonicDetector().detect(x, rate)
    assert d.pitch_classes == (0, 4, 9) and d.bass == 9


def test_detect_spectrum_on_captured_samples(shared_dir):
    from kord_engine.samples import list_samples, read_sample

    files = list_samples(shared_dir / "data/samples/captured")
    det = HarmonicDetector()
    exact = sum(
        det.detect_spectrum(s.spectrum, 1.0).pitch_classes == s.pitch_classes
        for s in map(read_sample, files)
    )
    assert exact / len(files) >= 0.75


def test_analyze_file_default_and_kord(shared_dir):
    path = shared_dir / "data/audio/C7b9.wav"
    assert analyze_file(path, "kord").chord == "C7(♭9)"
    d = analyze_file(path, "default")
    assert d.pitch_classes == (0, 1, 4, 7, 10) and d.bass == 0
    assert d.chord == "C7(♭9)"


def test_analyze_silent_file_has_no_notes(tmp_path):
    path = write_wav(tmp_path / "s.wav", np.zeros(48000, np.float32), 48000)
    assert analyze_file(path).is_empty
    assert analyze_file(path, "kord").is_empty


def test_timeline_finds_the_chord_changes(tmp_path):
    rate = 22050
    parts = [
        harmonic_chord(m, rate, 1.5, seed=i)
        for i, m in enumerate([[48, 52, 55], [53, 57, 60], [55, 59, 62]])
    ]
    path = write_wav(tmp_path / "prog.wav", np.concatenate(parts), rate)
    segs = analyze_timeline(path, "default", hop=0.1, min_segment=0.3)
    assert [s.pitch_classes for s in segs] == [(0, 4, 7), (0, 5, 9), (2, 7, 11)]
    assert [s.chord for s in segs] == ["C", "F", "G"]
    assert segs[0].start == 0.0 and segs[-1].end == pytest.approx(4.5)
    assert segs[1].start == pytest.approx(1.5, abs=0.3)


def test_merge_segments_absorbs_blips():
    def d(pcs):
        return Detection(pitch_classes=pcs, bass=pcs[0] if pcs else None)

    frames = [(0.0, 0.1, d((0, 4, 7)))] * 5 + [(0.5, 0.6, d((1,)))] + [(0.6, 0.7, d((0, 4, 7)))] * 5
    frames = [(i * 0.1, i * 0.1 + 0.1, f[2]) for i, f in enumerate(frames)]
    segs = merge_segments(frames, 0.3)
    assert len(segs) == 1 and segs[0].pitch_classes == (0, 4, 7)
    assert segs[0].end == pytest.approx(1.1)


def test_a_chord_is_held_into_the_silence_after_it_as_live():
    c, f = ((0, 4, 7), 0), ((0, 5, 9), 5)
    segs = [
        Segment(0.0, 1.0, "C", *c),
        Segment(1.0, 1.3, None),  # shorter than the release: C all through, then F
        Segment(1.3, 2.0, "F", *f),
        Segment(2.0, 3.0, None),  # longer: F for 0.5 s of it, then no chord
        Segment(3.0, 3.4, "F", *f),  # …and a chord struck again after it is a new label
        Segment(3.4, 3.6, None),  # at the end: held to the end
    ]
    got = [(s.start, s.end, s.pitch_classes) for s in hold_through_silence(segs, 0.5)]
    assert got == [
        (0.0, 1.3, c[0]),
        (1.3, 2.5, f[0]),
        (2.5, 3.0, ()),
        (3.0, 3.6, f[0]),
    ]
    # a silence shorter than the release between two of the same chord: one label
    same = [Segment(0.0, 1.0, "C", *c), Segment(1.0, 1.4, None), Segment(1.4, 2.0, "C", *c)]
    assert [(s.start, s.end) for s in hold_through_silence(same, 0.5)] == [(0.0, 2.0)]
    assert hold_through_silence(segs, 0.0) == segs


def test_a_timeline_holds_a_dying_chord_until_the_next_or_half_a_second(tmp_path):
    """A marimba-like chord that dies away is still the chord for the release time, as the
    live analyzer shows it; `release=0` gives the silence at once."""
    rate = 22050
    t = np.arange(int(0.6 * rate)) / rate
    hit = harmonic_chord([48, 52, 55], rate, 0.6) * np.exp(-t / 0.08).astype(np.float32)
    gap = np.zeros(int(1.4 * rate), np.float32)
    x = np.concatenate([hit, gap, harmonic_chord([53, 57, 60], rate, 1.0)])
    path = write_wav(tmp_path / "dying.wav", x, rate)
    held = analyze_timeline(path, "default")
    plain = analyze_timeline(path, "default", release=0.0)
    silence = [s for s in plain if not s.pitch_classes]
    assert silence, plain  # without the release the dying chord leaves a silence
    assert [s.pitch_classes for s in held] == [(0, 4, 7), (), (0, 5, 9)]
    assert held[0].end == pytest.approx(silence[0].start + 0.5, abs=1e-6)
    with pytest.raises(AudioError, match="release"):
        analyze_timeline(path, "default", release=-1.0)


def test_batched_frames_match_single_windows():
    rate = 22050
    x = np.concatenate(
        [
            harmonic_chord([48, 52, 55], rate, 1.0),
            np.zeros(rate // 2, np.float32),
            harmonic_chord([45, 52, 57, 60], rate, 1.0, noise=0.01),
        ]
    )
    det = HarmonicDetector()
    n = int(det.window_seconds * rate)
    starts = np.arange(0, len(x) - n, rate // 10)
    batched = det.detect_frames(x, rate, starts)
    single = [det.detect(x[s : s + n], rate) for s in starts]
    assert [d.notes for d in batched] == [d.notes for d in single]
    assert any(d.is_empty for d in batched) and not all(d.is_empty for d in batched)


# -- regressions: octave-doubled roots and maj7 voicings ------------------------------------
#: (midi notes, pitch classes, bass pc, chord): a fifth an octave above the bass hides under its
#: 3rd harmonic; a maj7 a semitone under the root's octave partial is not leakage
VOICINGS = [
    ((48, 60, 64, 67), (0, 4, 7), 0, "C"),  # C3 C4 E4 G4 (was heard as Am / C+E only)
    ((36, 48, 52, 55), (0, 4, 7), 0, "C"),  # the same an octave lower
    ((45, 57, 60, 64), (0, 4, 9), 9, "Am"),  # doubled minor root
    ((48, 52, 55, 59), (0, 4, 7, 11), 0, "Cmaj7"),  # close Cmaj7 (was E(sus4)/C)
    ((36, 52, 55, 59), (0, 4, 7, 11), 0, "Cmaj7"),  # low root under a close E G B
    ((48, 55, 59, 64), (0, 4, 7, 11), 0, "Cmaj7"),  # open Cmaj7
    ((52, 64, 69, 71), (4, 9, 11), 4, "E(sus4)"),  # doubled sus4 root: the B is E's 3rd partial
    ((50, 62, 64, 69), (2, 4, 9), 2, "D(sus2)"),  # doubled sus2 root
]


@pytest.fixture(scope="session")
def rendered_voicings(tmp_path_factory):
    """VOICINGS on FluidR3 piano: (audio, rate, spans)."""
    if not have_fluidsynth():
        pytest.skip("fluidsynth or a soundfont is missing")
    from kord_engine.audio.sound.fluidsynth import render_chords

    tmp = tmp_path_factory.mktemp("voicings")
    return render_chords([(list(v[0]), 1.0) for v in VOICINGS], program=0, gap=0.25, workdir=tmp)


@pytest.mark.parametrize("index", range(len(VOICINGS)), ids=[v[3] + str(v[0]) for v in VOICINGS])
def test_rendered_doubled_roots_and_maj7_voicings(rendered_voicings, index):
    audio, rate, spans = rendered_voicings
    _midi, pcs, bass, chord = VOICINGS[index]
    a = int((spans[index][0] + 0.15) * rate)
    d = HarmonicDetector().detect(audio[a : a + rate // 2], rate)
    assert (d.pitch_classes, d.bass) == (pcs, bass), d.notes
    assert d.chord == chord


@pytest.mark.parametrize("timbre", ["piano", "organ"])
@pytest.mark.parametrize("index", [0, 3, 4], ids=["C-doubled", "Cmaj7-close", "Cmaj7-low-root"])
def test_engine_synth_doubled_roots_and_maj7(timbre, index):
    from kord_engine.audio.sound.synth import Synth, SynthConfig

    midi, pcs, bass, chord = VOICINGS[index]
    synth = Synth(SynthConfig(timbre=timbre))
    synth.play_chord(midi, 1.0)
    audio = synth.render(48000)
    d = HarmonicDetector().detect(audio[7200 : 7200 + 24000], 48000)
    assert (d.pitch_classes, d.bass) == (pcs, bass), d.notes
    assert d.chord == chord


def test_fifth_is_not_invented_without_a_third():
    """A bass with only its own partials (no third over it) gets no fifth added, and a bare
    C3 + C4 octave stays one pitch class."""
    rate = 48000
    d = HarmonicDetector().detect(harmonic_chord([48, 60], rate, 0.5, harmonics=8), rate)
    assert d.pitch_classes == (0,)
    d = HarmonicDetector().detect(harmonic_chord([48, 58], rate, 0.5, harmonics=8), rate)
    assert 7 not in d.pitch_classes  # C + B♭: no third, so no guessed G


def test_fifth_restoration_can_be_switched_off():
    rate = 48000
    x = harmonic_chord([48, 60, 64, 67], rate, 0.5, harmonics=8)
    assert HarmonicDetector().detect(x, rate).pitch_classes == (0, 4, 7)
    assert HarmonicDetector(fifth_ratio=0).detect(x, rate).pitch_classes == (0, 4)


def _thin_bass_chord(rate: int) -> np.ndarray:
    """A2 with a fundamental ~40 dB under its 2nd–6th harmonics (thin low string, small
    speaker) under C3 + E3: an A minor chord whose bass is heard mostly through partials."""
    from tests.audio_fixtures import midi_hz

    t = np.arange(rate // 2) / rate
    amps = [0.0012, 0.1, 0.1, 0.08, 0.07, 0.06]
    bass = sum(a * np.sin(2 * np.pi * h * midi_hz(45) * t + h) for h, a in enumerate(amps, 1))
    return (bass + harmonic_chord([48, 52], rate, 0.5)).astype(np.float32)


def test_thin_bass_is_found_from_its_harmonics():
    x = _thin_bass_chord(48000)
    d = HarmonicDetector().detect(x, 48000)
    assert (d.pitch_classes, d.bass, d.chord) == ((0, 4, 9), 9, "Am"), d.notes
    # without the harmonic-support rule the bass drops out and its 5th partial (C♯) is a note
    off = HarmonicDetector(bass_support=0).detect(x, 48000)
    assert off.bass != 9 and 1 in off.pitch_classes


def _quint_organ(midis: list[int], rate: int) -> np.ndarray:
    """Each key sounds its pipe and a quint rank at 1.5 × its frequency (an organ's 5 1/3'
    mutation stop, a drawbar): every note comes with a fifth that is timbre, not harmony."""
    from tests.audio_fixtures import midi_hz

    t = np.arange(rate // 2) / rate
    x = np.zeros_like(t)
    for m in midis:
        for f, a in ((midi_hz(m), 0.1), (1.5 * midi_hz(m), 0.09)):
            for h in range(1, 7):
                if h * f < rate / 2:
                    x += a * 0.6 ** (h - 1) * np.sin(2 * np.pi * h * f * t + m + h)
    return x.astype(np.float32)


def test_a_quint_rank_is_timbre_not_harmony():
    """A7/G on an organ with a quint stop: the fifths over G, A, C♯ and E are the stop's;
    G A C♯ E stays G A C♯ E (without the rule D, G♯ and B were read as notes)."""
    x = _quint_organ([79, 81, 85, 88], 48000)
    d = HarmonicDetector().detect(x, 48000)
    assert (d.pitch_classes, d.bass) == ((1, 4, 7, 9), 7), d.notes
    off = HarmonicDetector(quint_notes=0, quint_tops=0).detect(x, 48000)
    assert {2, 8, 11} <= set(off.pitch_classes), off.notes


def test_a_quint_that_meets_a_chord_tone_is_still_timbre():
    """Dm7/C high on the same organ (C6 D6 F6 A6): D's quint is the chord's A and F's is C7,
    so not every note shows a fifth of its own and quint_notes cannot see the stop; the
    quints of C and A (G, E) have no quint of their own, and go (HarmonicConfig.quint_tops)."""
    x = _quint_organ([84, 86, 89, 93], 48000)
    d = HarmonicDetector().detect(x, 48000)
    assert (d.pitch_classes, d.bass) == ((0, 2, 5, 9), 0), d.notes
    off = HarmonicDetector(quint_tops=0).detect(x, 48000)
    assert {4, 7} <= set(off.pitch_classes), off.notes


@pytest.mark.parametrize(
    "midis",
    [
        [48, 52, 55, 58, 62, 69],  # C13 C3 E3 G3 B♭3 D4 A4: six notes, fifths over four
        [60, 64, 67, 71, 74],  # Cmaj9 close C4 E4 G4 B4 D5: five notes, tops without fifths
    ],
)
def test_stacked_thirds_keep_their_fifths(midis):
    """quint_tops needs six notes heard and two fifth-less fifths: a C13 keeps its A (its one
    fifth without a fifth), a five-note ninth its B and D."""
    x = harmonic_chord(midis, 48000, 0.5, harmonics=8)
    d = HarmonicDetector().detect(x, 48000)
    assert d.pitch_classes == tuple(sorted({m % 12 for m in midis})), d.notes


@pytest.mark.parametrize(
    "midis",
    [
        [48, 55, 64, 71],  # Cmaj7 spread C3 G3 E4 B4: two notes with their fifths
        [48, 55, 64, 71, 77],  # C3 G3 E4 B4 F5: the top F has no fifth over it
        [48, 55, 62, 69],  # stacked fifths C G D A: a chain, one note without its fifth
    ],
)
def test_real_fifths_are_kept(midis):
    """Only a fifth over EVERY note (three or more) is a quint rank: real voicings with
    fifths in them keep all their notes."""
    x = harmonic_chord(midis, 48000, 0.5, harmonics=8)
    d = HarmonicDetector().detect(x, 48000)
    assert d.pitch_classes == tuple(sorted({m % 12 for m in midis})), d.notes


def _missing_fundamental_chord(low: int, partials: dict[int, float], rest: list[int]) -> np.ndarray:
    """`low` heard only through its partials (harmonic number → amplitude; a room's notch or
    a small microphone took the fundamental) under the notes `rest`."""
    from tests.audio_fixtures import midi_hz

    rate = 48000
    t = np.arange(rate // 2) / rate
    f0 = midi_hz(low)
    x = sum(a * np.sin(2 * np.pi * h * f0 * t + h) for h, a in partials.items())
    return (x + harmonic_chord(rest, rate, 0.5)).astype(np.float32)


def test_a_seventh_harmonic_31_cents_flat_is_no_note():
    """G2 without its fundamental under B2 + D3: its octave stands in for it, and its 7th
    harmonic (F5, 31 cents flat of any tempered F) is a partial, not a G7's seventh."""
    partials = {2: 0.1, 3: 0.06, 4: 0.05, 5: 0.03, 6: 0.03, 7: 0.05, 8: 0.02}
    x = _missing_fundamental_chord(43, partials, [47, 50])
    assert HarmonicDetector().detect(x, 48000).pitch_classes == (2, 7, 11)
    assert 5 in HarmonicDetector(off_grid_cents=0).detect(x, 48000).pitch_classes


def test_an_in_tune_seventh_is_kept():
    """The same G chord with a real, tempered F5 on top is a G7: only off-grid peaks go."""
    partials = {2: 0.1, 3: 0.06, 4: 0.05, 5: 0.03, 6: 0.03}
    x = _missing_fundamental_chord(43, partials, [47, 50, 77])
    assert HarmonicDetector().detect(x, 48000).pitch_classes == (2, 5, 7, 11)


def test_a_detuned_chord_is_on_its_own_grid():
    """A chord 35 cents flat read against its own reference keeps every note (the off-grid
    test measures from the instrument's tuning, not from A440)."""
    from tests.audio_fixtures import midi_hz

    rate, cents = 48000, -35.0
    t = np.arange(rate // 2) / rate
    x = np.zeros_like(t)
    for m in (55, 59, 62, 65, 77):
        f = midi_hz(m + cents / 100)
        x += sum(0.1 * 0.6**h * np.sin(2 * np.pi * (h + 1) * f * t + h) for h in range(6))
    det = HarmonicDetector()
    det.reference_hz = 440.0 * 2 ** (cents / 1200)
    assert det.detect(x.astype(np.float32), rate).pitch_classes == (2, 5, 7, 11)


def test_a_fifth_harmonic_over_a_missing_fundamental_is_no_third():
    """A2 without its fundamental under C3 + E3 (A minor): its 5th harmonic, C♯5 at −14
    cents, a major tenth over the A3 that stands in for it, is no C♯."""
    x = _missing_fundamental_chord(45, {2: 0.1, 3: 0.06, 4: 0.05, 5: 0.05, 6: 0.02}, [48, 52])
    assert HarmonicDetector().detect(x, 48000).pitch_classes == (0, 4, 9)
    assert 1 in HarmonicDetector(tenth_cents=None).detect(x, 48000).pitch_classes


def test_the_log_pooler_equals_its_plain_spelling():
    """The planned pooler (neighbours and weights made once, no padded copy of the spectrum)
    gives the very bits of the plain one: interpolation where log bins are finer than the
    linear ones, the maximum over each wider range, the last up to the spectrum's end."""
    from kord_engine.audio.listen.detect.harmonic import _log_pooler

    cfg = HarmonicDetector().config
    rng = np.random.default_rng(7)
    for n_bins, bin_hz in ((24001, 1.0), (22051, 1.0), (12001, 2.0)):
        pool = _log_pooler(cfg, n_bins, bin_hz)
        mags = np.abs(rng.standard_normal((2, n_bins))).astype(np.float32) ** 2
        lo = np.floor(pool.interp).astype(int)
        hi = np.minimum(lo + 1, n_bins - 1)
        frac = (pool.interp - lo).astype(np.float32)
        want = np.empty((2, pool.n_log), np.float32)
        want[:, ~pool.wide] = mags[:, lo] * (1 - frac) + mags[:, hi] * frac
        padded = np.concatenate([mags, np.zeros((2, 1), np.float32)], axis=-1)
        want[:, pool.wide] = np.maximum.reduceat(padded, pool.starts, axis=-1)
        np.testing.assert_array_equal(pool(mags), want)
        np.testing.assert_array_equal(pool(mags[1]), want[1])
