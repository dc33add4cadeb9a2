"""record_default: the real recording path over a fake sounddevice (no hardware)."""

from types import SimpleNamespace

import numpy as np

import kord_engine.audio.input.devices as devices
from kord_engine.ml import gather


def test_record_default_records_mono_float32_at_the_negotiated_rate(monkeypatch):
    calls = {}

    class FakeSd:
        def rec(self, frames, samplerate, channels, dtype, device):
            calls.update(frames=frames, rate=samplerate, device=device)
            return np.full((frames, channels), 0.25, dtype=np.float32)

        def wait(self):
            calls["waited"] = True

    monkeypatch.setattr(devices, "sounddevice_module", lambda: FakeSd())
    monkeypatch.setattr(
        devices, "resolve_device", lambda spec, kind: SimpleNamespace(index=3, name="fake")
    )
    monkeypatch.setattr(devices, "negotiate_sample_rate", lambda info, rate, kind, ch: 16000)
    monkeypatch.setattr(
        gather, "_show_recording", lambda seconds: calls.setdefault("shown", seconds)
    )
    samples, rate = gather.record_default(0.5)
    assert rate == 16000 and samples.shape == (8000,) and samples.dtype == np.float32
    assert calls == {"frames": 8000, "rate": 16000, "device": 3, "shown": 0.5, "waited": True}
