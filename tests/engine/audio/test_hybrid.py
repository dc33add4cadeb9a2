"""The hybrid detector: the model picks the pitch classes, the harmonic detector voices them."""

import numpy as np
import pytest

from kord_engine.audio.listen.detect.hybrid import combine
from kord_engine.audio.listen.detection import Detection


def _det(notes, confidence=0.9):
    notes = tuple(sorted(notes))
    return Detection(
        notes=notes,
        pitch_classes=tuple(sorted({n % 12 for n in notes})),
        bass=notes[0] % 12 if notes else None,
        confidence=confidence,
    )


def test_model_decides_the_set_and_harmonic_keeps_the_bass():
    heard = _det([40, 48, 52, 55, 61])  # E3 C4 E4 G4 + a spurious D♭4
    model = _det([48, 52, 55])  # C E G at octave 4, no bass information
    out = combine(heard, model)
    assert out.pitch_classes == (0, 4, 7)
    assert out.notes == (40, 48, 52, 55)
    assert out.bass == 4
    assert out.chord == "C/E"


def test_a_class_the_harmonic_detector_missed_is_voiced_above_its_bass():
    heard = _det([36, 52])  # C3 E4
    model = _det([48, 52, 55, 58])  # C7
    out = combine(heard, model)
    assert out.pitch_classes == (0, 4, 7, 10)
    assert out.notes[0] == 36 and out.bass == 0
    assert set(out.notes) >= {36, 43, 46, 52}
    assert out.chord == "C7"


def test_model_silence_is_silence():
    assert combine(_det([45, 52]), _det([])).is_empty


def test_disagreement_lowers_confidence():
    agree = combine(_det([48, 52, 55], 0.7), _det([48, 52, 55], 0.9))
    differ = combine(_det([48, 51, 55], 0.7), _det([48, 52, 55], 0.9))
    assert agree.confidence == pytest.approx(0.9)
    assert differ.confidence < agree.confidence


def test_hybrid_names_a_rendered_chord_and_stays_silent_on_silence():
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.sound.synth import Synth, SynthConfig

    detector = make_detector("hybrid")
    synth = Synth(SynthConfig(timbre="piano", sample_rate=48000))
    synth.play_chord([48, 52, 55, 60], duration=1.0)  # MIDI C3 E3 G3 C4
    audio = synth.render(48000)
    window = audio[12000 : 12000 + 24000]
    out = detector.detect(window, 48000)
    assert out.pitch_classes == (0, 4, 7)
    assert out.chord == "C"
    assert detector.detect(np.zeros(24000, np.float32), 48000).is_empty


def test_unsure_classes_are_decided_by_the_harmonic_detector():
    heard = _det([48, 52, 55])  # C E G
    deltas = [-0.9] * 12
    deltas[0], deltas[4], deltas[7] = 0.5, 0.05, 0.4  # E only just above its threshold
    deltas[9] = 0.1  # A above threshold but unsure, and not heard
    model = Detection(
        notes=(48, 52, 55, 57),
        pitch_classes=(0, 4, 7, 9),
        bass=None,
        confidence=0.5,
        extra={"deltas": deltas},
    )
    assert combine(heard, model).pitch_classes == (0, 4, 7)
    deltas[9] = 0.6  # sure: the model wins over the ears
    assert combine(heard, model).pitch_classes == (0, 4, 7, 9)


def test_voice_reads_the_given_classes_with_the_harmonic_half_alone(monkeypatch):
    """The live analyzer's bass of a sustained chord: the classes are decided already, so
    the model (whose reading would go unused) does not run."""
    from kord_engine.audio.listen.detect import make_detector
    from kord_engine.audio.sound.synth import Synth, SynthConfig

    detector = make_detector("hybrid")
    synth = Synth(SynthConfig(timbre="piano", sample_rate=48000))
    synth.play_chord([52, 60, 67], duration=1.0)  # E3 C4 G4: C/E
    window = synth.render(48000)[12000:36000]

    def no_model(*args, **kwargs):
        raise AssertionError("the model ran")

    monkeypatch.setattr(detector.model, "detect", no_model)
    notes = detector.voice(window, 48000, {0, 4, 7})
    assert notes and notes[0] == 40  # E3 (note ids: C4 = 48)
    assert {n % 12 for n in notes} == {0, 4, 7}
    assert detector.voice(window, 48000, {2}) == [50]  # a class not heard: D just above E3
    assert detector.voice(np.zeros(24000, np.float32), 48000, {0, 4, 7}) == []
