"""Each timbre sounds the notes it was asked for: kord's own detector hears the chord as
written (no sub-octaves, no stray fifths), and timbres differ the way they should."""

import numpy as np
import pytest

from kord_engine.audio.listen.detect.kord import kord_notes
from kord_engine.audio.listen.spectrum import frequency_space
from kord_engine.audio.sound.synth import Synth, SynthConfig
from kord_engine.audio.sound.voices import TIMBRES, partials_for
from kord_engine.audio.sound.wav import render_offline
from kord_engine.theory import Chord

SR = 48000


@pytest.mark.parametrize("timbre", TIMBRES)
@pytest.mark.parametrize("symbol", ["Am7", "E7b9", "Cmaj7@3"])
def test_kords_detector_hears_the_chord_as_written(timbre, symbol):
    midis = [n.midi for n in Chord.parse(symbol).notes()]
    synth = Synth(SynthConfig(timbre=timbre))
    synth.play_chord(midis, 1.0)
    audio = render_offline(synth, 1.0)
    assert sorted(kord_notes(frequency_space(audio, SR))) == [m - 12 for m in midis]


def test_piano_partials_are_stretched_and_higher_ones_decay_faster():
    p = partials_for("piano", 110.0, 0.8, SR)
    ratios = p.freqs / 110.0
    assert np.all(ratios > np.arange(1, len(ratios) + 1) - 1e-9)  # inharmonic stretch
    assert ratios[-1] > len(ratios)
    assert np.all(np.diff(p.decays) > 0)
    assert p.amps.sum() == pytest.approx(1.0)


def test_louder_piano_notes_are_brighter():
    soft, loud = partials_for("piano", 220.0, 0.2, SR), partials_for("piano", 220.0, 1.0, SR)
    centroid = [np.sum(p.freqs * p.amps) / np.sum(p.amps) for p in (soft, loud)]
    assert centroid[1] > 1.3 * centroid[0]


def test_partials_above_nyquist_are_silenced():
    p = partials_for("organ", 4000.0, 0.8, SR)
    assert np.all(p.amps[p.freqs >= 0.45 * SR] == 0.0) and p.amps[p.freqs < 20000].sum() > 0
