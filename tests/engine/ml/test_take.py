"""ml.take.TakeRecorder over synthetic audio: silence, then a chord → the right window."""

import numpy as np
import pytest

from kord_engine.errors import AudioError
from kord_engine.ml.take import TakeRecorder, TakeState, level_db

RATE = 8000
BLOCK = 256


def stream(silence_s=0.5, chord_s=2.0, noise=1e-4, seed=0):
    rng = np.random.default_rng(seed)
    quiet = int(silence_s * RATE)
    t = np.arange(int(chord_s * RATE)) / RATE
    chord = 0.3 * np.sin(2 * np.pi * 261.6 * t) * np.exp(-t)
    x = np.concatenate([np.zeros(quiet), chord]) + noise * rng.standard_normal(quiet + len(t))
    return x.astype(np.float32), quiet


def feed_all(rec, x, block=BLOCK):
    states = []
    for i in range(0, len(x), block):
        states.append(rec.feed(x[i : i + block]))
    return states


def test_waits_through_silence_then_records_the_window_after_the_onset():
    x, onset = stream()
    rec = TakeRecorder(RATE, seconds=1.0, pre_seconds=0.05)
    states = feed_all(rec, x)
    assert states[0] is TakeState.WAITING
    assert TakeState.RECORDING in states and states[-1] is TakeState.DONE
    assert abs(rec.onset_frame - onset) <= 2  # the first loud sample, not the block start
    audio = rec.audio()
    pre = int(0.05 * RATE)
    assert len(audio) == pre + RATE
    start = rec.onset_frame - pre
    assert np.array_equal(audio, x[start : start + len(audio)])
    assert rec.noise_floor_db < -70
    assert rec.level_db > -40  # the meter shows the chord


def test_silence_alone_never_starts_a_take():
    rec = TakeRecorder(RATE)
    rng = np.random.default_rng(1)
    noise = (1e-3 * rng.standard_normal(3 * RATE)).astype(np.float32)
    assert set(feed_all(rec, noise)) == {TakeState.WAITING}
    assert rec.audio() is None
    assert rec.noise_floor_db == pytest.approx(level_db(noise), abs=1.5)
    assert rec.feed(np.zeros(BLOCK, np.float32)) is TakeState.WAITING


def test_a_louder_room_raises_the_onset_threshold():
    x, _ = stream(noise=0.02)  # noise at −34 dBFS: the chord is still 12 dB above it
    rec = TakeRecorder(RATE, seconds=0.5)
    feed_all(rec, x)
    assert rec.state is TakeState.DONE
    assert rec.onset_threshold_db == pytest.approx(rec.noise_floor_db + 12.0)


def test_blocks_after_done_are_ignored_until_reset():
    x, _ = stream()
    rec = TakeRecorder(RATE, seconds=0.5)
    feed_all(rec, x)
    first = rec.audio().copy()
    assert rec.feed(np.ones(BLOCK, np.float32)) is TakeState.DONE
    assert np.array_equal(rec.audio(), first)
    floor = rec.noise_floor_db
    rec.reset(keep_floor=True)
    assert rec.state is TakeState.WAITING and rec.audio() is None
    assert rec.noise_floor_db == floor
    rec.reset()
    assert rec.noise_floor_db is None


def test_manual_takes_keep_what_arrives_between_start_and_stop():
    x, _ = stream()
    rec = TakeRecorder(RATE, max_seconds=5.0)
    rec.feed(x[:BLOCK])
    rec.start()
    assert rec.state is TakeState.RECORDING
    kept = x[BLOCK : 11 * BLOCK]
    for i in range(0, len(kept), BLOCK):
        assert rec.feed(kept[i : i + BLOCK]) is TakeState.RECORDING  # no onset logic
    assert rec.stop() is TakeState.DONE
    assert np.array_equal(rec.audio(), kept)
    rec.reset()
    rec.start()
    assert rec.stop() is TakeState.WAITING  # nothing recorded: no take


def test_a_manual_take_stops_at_max_seconds():
    rec = TakeRecorder(RATE, seconds=0.5, max_seconds=1.0)
    rec.start()
    feed_all(rec, np.full(2 * RATE, 0.1, np.float32))
    assert rec.state is TakeState.DONE and len(rec.audio()) == RATE


def test_stereo_blocks_are_mixed_and_bad_input_is_an_error():
    rec = TakeRecorder(RATE)
    assert rec.feed(np.zeros((BLOCK, 2), np.float32)) is TakeState.WAITING
    with pytest.raises(AudioError, match="NaN"):
        rec.feed(np.full(BLOCK, np.nan, np.float32))
    with pytest.raises(AudioError):
        TakeRecorder(0)
    with pytest.raises(AudioError):
        TakeRecorder(RATE, seconds=0)


@pytest.mark.parametrize("gap_s", [0.03, 0.05, 0.1])
def test_a_dropout_inside_a_ringing_chord_is_no_onset(gap_s):
    """Re-armed while the last chord still rings (the floor follows its tail down), an input
    dropout — digital silence for tens of ms — must not make the tail's return an onset: that
    saved the old chord under the next chord's name. A real attack afterwards still is one."""
    t = np.arange(int(1.5 * RATE)) / RATE
    tail = (0.05 * np.sin(2 * np.pi * 261.6 * t) * np.exp(-t / 2)).astype(np.float32)
    cut = int(0.8 * RATE)
    tail[cut : cut + int(gap_s * RATE)] = 0.0
    rec = TakeRecorder(RATE, seconds=0.5)
    assert TakeState.RECORDING not in feed_all(rec, tail)
    attack, _ = stream(silence_s=0.0, chord_s=1.0, noise=0.0)
    assert feed_all(rec, attack)[-1] is TakeState.DONE
    assert rec.onset_frame >= len(tail)
