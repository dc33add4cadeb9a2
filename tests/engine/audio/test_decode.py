"""Decoding audio files: formats, rates, channels, ranges, and every kind of bad file."""

from __future__ import annotations

import numpy as np
import pytest

from kord_engine.audio.input.decode import load_audio, load_raw_f32, mix_down
from kord_engine.errors import AudioError
from tests.audio_fixtures import harmonic_chord, write_wav


def test_wav_mono_roundtrip(tmp_path):
    x = harmonic_chord([60], 44100, 1.0)
    clip = load_audio(write_wav(tmp_path / "a.wav", x, 44100))
    assert clip.sample_rate == 44100 and clip.channels == 1
    assert clip.samples.dtype == np.float32 and clip.samples.shape == (44100,)
    assert clip.duration == pytest.approx(1.0)
    assert np.allclose(clip.samples, x, atol=1e-4)


@pytest.mark.parametrize("channels", [2, 8])
def test_multichannel_is_mixed_by_mean(tmp_path, channels):
    x = harmonic_chord([57], 48000, 0.5)
    clip = load_audio(write_wav(tmp_path / "m.wav", x, 48000, channels=channels))
    assert clip.channels == channels and clip.samples.ndim == 1
    assert np.allclose(clip.samples, x, atol=1e-4)


def test_mix_down_averages_channels():
    data = np.array([[1.0, 0.0], [0.5, 0.5]], np.float32)
    assert mix_down(data).tolist() == [0.5, 0.5]


@pytest.mark.parametrize("rate", [8000, 192000])
def test_unusual_rates_decode(tmp_path, rate):
    clip = load_audio(write_wav(tmp_path / "r.wav", harmonic_chord([60], rate, 1.2), rate))
    assert clip.sample_rate == rate and clip.frames == int(1.2 * rate)


@pytest.mark.parametrize("ext,fmt", [("flac", "FLAC"), ("ogg", "OGG")])
def test_flac_and_ogg(tmp_path, ext, fmt):
    import soundfile as sf

    x = harmonic_chord([64], 44100, 1.0)
    path = tmp_path / f"x.{ext}"
    sf.write(str(path), x, 44100, format=fmt)
    assert load_audio(path).frames == 44100


def test_mp3_decodes(shared_dir):
    clip = load_audio(shared_dir / "data/audio/C7b9.mp3")
    assert clip.sample_rate == 44100 and clip.channels == 2 and clip.duration > 14


def test_start_end_select_a_range(tmp_path):
    x = np.arange(48000 * 2, dtype=np.float32) / 1e6
    path = write_wav(tmp_path / "r.wav", x, 48000, subtype="FLOAT")
    clip = load_audio(path, start=0.5, end=1.0)
    assert clip.frames == 24000
    assert clip.samples[0] == pytest.approx(x[24000])


def test_end_before_start_is_an_error(tmp_path):
    path = write_wav(tmp_path / "r.wav", harmonic_chord([60], 8000, 1.0), 8000)
    with pytest.raises(AudioError, match="before start"):
        load_audio(path, start=0.8, end=0.2)


def test_start_past_end_is_an_error(tmp_path):
    path = write_wav(tmp_path / "r.wav", harmonic_chord([60], 8000, 1.0), 8000)
    with pytest.raises(AudioError, match="past the end"):
        load_audio(path, start=5)


def test_missing_empty_and_garbage_files(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nope.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(tmp_path / "empty.wav")
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x01junkjunkjunk" * 10)
    with pytest.raises(AudioError, match="junk.wav"):
        load_audio(tmp_path / "junk.wav")
    (tmp_path / "junk.mp3").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(AudioError, match="junk.mp3"):
        load_audio(tmp_path / "junk.mp3")


def test_truncated_wav_is_an_error_or_shorter(tmp_path):
    path = write_wav(tmp_path / "t.wav", harmonic_chord([60], 8000, 1.0), 8000)
    data = path.read_bytes()
    (tmp_path / "header_only.wav").write_bytes(data[:30])
    with pytest.raises(AudioError, match="header_only.wav"):
        load_audio(tmp_path / "header_only.wav")
    # a cut data chunk decodes what is there (libsndfile), never garbage lengths
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    clip = load_audio(tmp_path / "cut.wav")
    assert 0 < clip.frames <= 8000


def test_truncated_mp3_decodes_prefix_or_errors(shared_dir, tmp_path):
    data = (shared_dir / "data/audio/C7b9.mp3").read_bytes()
    (tmp_path / "cut.mp3").write_bytes(data[: len(data) // 3])
    try:
        clip = load_audio(tmp_path / "cut.mp3")
    except AudioError as exc:
        assert "cut.mp3" in str(exc)
    else:
        assert 0 < clip.duration < 14


def test_zero_length_wav(tmp_path):
    path = write_wav(tmp_path / "z.wav", np.zeros(0, np.float32), 44100)
    with pytest.raises(AudioError, match="zero-length"):
        load_audio(path)


def test_nan_samples_are_an_error(tmp_path):
    x = harmonic_chord([60], 8000, 0.5)
    x[100] = np.nan
    path = write_wav(tmp_path / "n.wav", x, 8000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        load_audio(path)


def test_silence_decodes(tmp_path):
    clip = load_audio(write_wav(tmp_path / "s.wav", np.zeros(8000, np.float32), 8000))
    assert clip.frames == 8000 and not clip.samples.any()


def test_raw_f32_vec_bin(shared_dir, tmp_path):
    clip = load_raw_f32(shared_dir / "data/audio/vec.bin")
    assert clip.sample_rate == 47904 and clip.channels == 2
    assert clip.duration == pytest.approx(5.0)
    (tmp_path / "odd.bin").write_bytes(b"\x00" * 7)
    with pytest.raises(AudioError, match="multiple of 8 bytes"):
        load_raw_f32(tmp_path / "odd.bin")
