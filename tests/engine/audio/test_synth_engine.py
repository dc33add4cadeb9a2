"""Synth engine behaviour: polyphony, stealing, sustain, scheduling, threads, determinism."""

import threading

import numpy as np
import pytest

from kord_engine.audio.sound.synth import NoteEvent, Synth, SynthConfig
from kord_engine.audio.sound.voices import midi_to_frequency
from kord_engine.audio.sound.wav import render_offline
from kord_engine.errors import KordError

SR = 48000


def _peak_hz(audio, lo, hi):
    spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / SR)
    band = (freqs >= lo) & (freqs <= hi)
    return freqs[band][np.argmax(spec[band])], spec, freqs


def _band_level(spec, freqs, hz, width=4.0):
    return spec[(freqs > hz - width) & (freqs < hz + width)].max()


def test_default_config_has_room_for_32_voices():
    assert SynthConfig().max_voices >= 32
    assert SynthConfig().sample_rate == 48000


@pytest.mark.parametrize("timbre", ["piano", "organ", "sine"])
def test_32_simultaneous_voices_all_sound(timbre):
    synth = Synth(SynthConfig(timbre=timbre))
    notes = list(range(40, 72))
    for m in notes:
        synth.note_on(m, 0.5)
    out = render_offline(synth, 0.2)
    assert synth.active_voices == 32
    assert synth.sounding_notes == notes
    assert out.dtype == np.float32 and out.shape == (round(0.2 * SR),)
    assert np.all(np.isfinite(out)) and np.abs(out).max() > 0.05


def test_over_max_voices_steals_the_oldest_held_note():
    synth = Synth(SynthConfig(timbre="sine", max_voices=32))
    for m in range(40, 72):
        synth.note_on(m)
    synth.render(64)
    synth.note_on(90)
    synth.render(64)
    assert synth.active_voices == 32
    assert 40 not in synth.sounding_notes
    assert {41, 71, 90} <= set(synth.sounding_notes)


def test_stealing_prefers_the_voice_released_longest_ago():
    synth = Synth(SynthConfig(timbre="sine", max_voices=32, release=2.0))
    for m in range(40, 72):
        synth.note_on(m)
    synth.render(64)
    synth.note_off(50)
    synth.render(64)
    synth.note_off(60)
    synth.render(64)
    synth.note_on(90)
    synth.render(64)
    sounding = set(synth.sounding_notes)
    assert 50 not in sounding  # released first: stolen
    assert {40, 60, 90} <= sounding


def test_note_off_releases_and_frees_the_voice():
    synth = Synth(SynthConfig(timbre="organ", release=0.05))
    synth.note_on(60)
    synth.render(4800)
    synth.note_off(60)
    tail = synth.render(round(0.06 * SR))
    assert synth.active_voices == 0
    assert np.abs(tail[-480:]).max() == 0.0
    assert np.abs(tail[:480]).max() > 0.05  # still sounding as the release begins


def test_restriking_a_key_keeps_one_held_voice_for_it():
    synth = Synth(SynthConfig(timbre="sine", release=0.02))
    synth.note_on(60)
    synth.render(256)
    synth.note_on(60)
    synth.render(256)
    synth.note_off(60)
    synth.render(round(0.03 * SR))
    assert synth.active_voices == 0


def test_piano_notes_die_away_on_their_own():
    synth = Synth(SynthConfig(timbre="piano"))
    synth.note_on(96, 1.0)  # C7: a short-lived treble note
    out = render_offline(synth, 4.0)
    first = np.abs(out[: SR // 4]).max()
    last = np.abs(out[-SR // 4 :]).max()
    assert last < first / 10


def test_sustain_pedal_holds_released_notes_until_lifted():
    synth = Synth(SynthConfig(timbre="sine", release=0.05))
    synth.note_on(60)
    synth.set_sustain(True)
    synth.render(256)
    synth.note_off(60)
    held = render_offline(synth, 0.5)
    assert synth.active_voices == 1
    assert np.abs(held[-480:]).max() > 0.1
    synth.set_sustain(False)
    render_offline(synth, 0.1)
    assert synth.active_voices == 0


def test_all_notes_off_releases_everything_and_cancels_scheduled_notes():
    synth = Synth(SynthConfig(timbre="sine", release=0.02))
    synth.note_on(60)
    synth.play_chord([64, 67], duration=2.0, arpeggio=0.5)
    synth.render(4800)
    synth.all_notes_off()
    out = render_offline(synth, 1.0)
    assert synth.active_voices == 0 and synth.pending_events == 0
    assert np.abs(out[SR // 10 :]).max() == 0.0


def test_play_chord_onsets_land_on_the_exact_sample_across_blocks():
    synth = Synth(SynthConfig(timbre="sine"))
    synth.schedule([NoteEvent(0.1234, 69)])
    out = render_offline(synth, 0.2, blocksize=256)
    onset = round(0.1234 * SR)
    assert np.all(out[:onset] == 0.0)
    assert out[onset + 1] != 0.0


def test_play_chord_staggers_notes_and_releases_them_together():
    synth = Synth(SynthConfig(timbre="sine", attack=0.005, release=0.02))
    c4, e4, g4 = 60, 64, 67
    synth.play_chord([c4, e4, g4], duration=1.0, arpeggio=0.25)
    out = render_offline(synth, 1.2)
    f = {m: midi_to_frequency(m) for m in (c4, e4, g4)}

    def present(seg):
        _, spec, freqs = _peak_hz(seg, 100, 1000)
        top = spec.max()
        return {m for m in f if _band_level(spec, freqs, f[m]) > 0.2 * top}

    assert present(out[int(0.02 * SR) : int(0.24 * SR)]) == {c4}
    assert present(out[int(0.27 * SR) : int(0.49 * SR)]) == {c4, e4}
    assert present(out[int(0.52 * SR) : int(0.98 * SR)]) == {c4, e4, g4}
    assert np.abs(out[int(1.03 * SR) :]).max() == 0.0
    assert synth.active_voices == 0


def test_rendered_piano_chord_has_peaks_at_its_fundamentals():
    synth = Synth(SynthConfig(timbre="piano"))
    chord = [48, 52, 55]  # C3 E3 G3
    synth.play_chord(chord, duration=1.0)
    out = render_offline(synth, 1.0)
    _, spec, freqs = _peak_hz(out, 50, 2000)
    floor = np.median(spec[(freqs > 50) & (freqs < 2000)])
    for m in chord:
        hz = midi_to_frequency(m)
        assert _band_level(spec, freqs, hz, 2.0) > 100 * floor
    strongest = freqs[(freqs > 50)][np.argmax(spec[freqs > 50])]
    assert min(abs(strongest - midi_to_frequency(m)) for m in chord) < 2.0


@pytest.mark.parametrize("timbre", ["sine", "organ"])
def test_block_size_does_not_change_the_sound(timbre):
    def run(blocksize):
        synth = Synth(SynthConfig(timbre=timbre))
        synth.play_chord([60, 64, 67, 71], duration=0.3, arpeggio=0.05)
        return render_offline(synth, 0.5, blocksize=blocksize)

    a, b, c = run(256), run(97), run(1000)
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(a, c, atol=1e-5)


def test_rendering_is_deterministic():
    def run():
        synth = Synth()
        synth.play_chord([48, 55, 64, 72], duration=0.5, arpeggio=0.1, velocity=0.9)
        return render_offline(synth, 0.8)

    assert np.array_equal(run(), run())


def test_note_on_from_other_threads_while_rendering():
    synth = Synth(SynthConfig(timbre="piano", max_voices=32))
    errors = []
    stop = threading.Event()

    def player(base):
        try:
            for i in range(300):
                synth.note_on(base + i % 12, 0.7)
                if i % 3 == 0:
                    synth.note_off(base + (i - 3) % 12)
                if i % 50 == 0:
                    synth.play_chord([base, base + 4, base + 7], 0.05, arpeggio=0.01)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def render_loop(out):
        while not stop.is_set():
            out.append(synth.render(256))

    blocks = []
    renderer = threading.Thread(target=render_loop, args=(blocks,))
    renderer.start()
    players = [threading.Thread(target=player, args=(b,)) for b in (48, 60, 72)]
    for t in players:
        t.start()
    for t in players:
        t.join()
    stop.set()
    renderer.join()
    assert not errors
    synth.all_notes_off()
    tail = render_offline(synth, 0.5)
    out = np.concatenate(blocks + [tail])
    assert np.all(np.isfinite(out)) and np.abs(out).max() <= 1.0
    assert np.abs(out).max() > 0.01
    assert synth.active_voices == 0


def test_set_timbre_and_gain_apply_to_following_notes():
    synth = Synth(SynthConfig(timbre="sine", gain=0.25))
    synth.set_timbre("organ")
    synth.set_gain(0.5)
    assert synth.config.timbre == "organ" and synth.config.gain == 0.5
    synth.note_on(57)  # A3: an organ adds partials above the fundamental
    out = render_offline(synth, 0.5)[SR // 4 :]
    _, spec, freqs = _peak_hz(out, 50, 2000)
    assert _band_level(spec, freqs, 2 * 220.0) > 0.1 * _band_level(spec, freqs, 220.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SynthConfig(timbre="harpsichord"),
        lambda: SynthConfig(sustain=1.5),
        lambda: SynthConfig(max_voices=0),
        lambda: SynthConfig(attack=-1.0),
        lambda: Synth().note_on(60, velocity=2.0),
        lambda: Synth().play_chord([], 1.0),
        lambda: Synth().play_chord([60, 64, 67], 0.3, arpeggio=0.2),
        lambda: Synth().schedule([NoteEvent(-1.0, 60)]),
    ],
)
def test_bad_settings_raise_kord_errors(make):
    with pytest.raises(KordError):
        make()


def test_a_stolen_voice_fades_out_instead_of_clicking():
    synth = Synth(SynthConfig(timbre="sine", max_voices=1, attack=0.0005))
    synth.note_on(45, 1.0)  # A2, a slow wave: a hard cut would jump by up to its amplitude
    before = render_offline(synth, 0.0101)  # stop mid-cycle
    synth.note_on(81, 1.0)
    after = render_offline(synth, 0.01)
    assert synth.sounding_notes == [81]
    jump = abs(float(after[0]) - float(before[-1]))
    slope = np.abs(np.diff(before[-50:])).max()
    assert jump <= 2 * slope  # continuous across the steal


def test_an_idle_synth_skips_the_work_and_sounds_exactly_the_same(monkeypatch):
    """An open output stream renders ~190 blocks a second while nothing plays: those blocks
    take the idle path (no voices, limiter or gain work), and the sound is sample for sample
    what the full path gives, a chord scheduled mid-silence and a loud one through the
    limiter included."""

    def play(full: bool) -> np.ndarray:
        synth = Synth(SynthConfig(timbre="piano"))
        if full:
            monkeypatch.setattr(synth, "_silent_through", lambda frames: False)
        synth.schedule([NoteEvent(0.3, 60, velocity=1.0), NoteEvent(0.3, 64, velocity=1.0)])
        synth.schedule([NoteEvent(0.31, m, velocity=1.0) for m in (48, 55, 67, 72, 76, 79)])
        synth.schedule([NoteEvent(0.8, m, on=False) for m in (48, 55, 60, 64, 67, 72, 76, 79)])
        return render_offline(synth, 3.0, blocksize=256)

    idle = []
    real = Synth._silent_through

    def counted(self, frames):
        idle.append(real(self, frames))
        return idle[-1]

    monkeypatch.setattr(Synth, "_silent_through", counted)
    fast = play(full=False)
    skipped = sum(idle)
    assert 0 < skipped < len(idle)  # the silence before the chord and after its release
    np.testing.assert_array_equal(fast, play(full=True))
    assert np.abs(fast).max() > 0.5  # loud enough for the limiter to act
    assert np.all(fast[: round(0.3 * SR)] == 0.0)
