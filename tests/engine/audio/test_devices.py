"""Device listing and lookup against a fake sounddevice: names in odd encodings, no devices,
no PortAudio at all, sample-rate negotiation."""

from types import SimpleNamespace

import pytest

from kord_engine.audio.input import devices
from kord_engine.errors import DeviceError


def dev(name, index, ins=2, outs=0, rate=48000.0, hostapi=0):
    return {
        "name": name,
        "index": index,
        "hostapi": hostapi,
        "max_input_channels": ins,
        "max_output_channels": outs,
        "default_samplerate": rate,
    }


class FakeSd:
    """Just enough of sounddevice for devices.py."""

    def __init__(self, devs, default=(0, 1), rates=(48000, 44100)):
        self._devs = devs
        self.default = SimpleNamespace(device=list(default))
        self._rates = rates
        self.checked = []

    def query_devices(self, index=None):
        if index is None:
            return list(self._devs)
        return self._devs[index]

    def query_hostapis(self):
        return [{"name": "ALSA"}]

    def check_input_settings(self, device=None, samplerate=None, channels=None, dtype=None):
        self.checked.append(samplerate)
        if samplerate not in self._rates:
            raise ValueError("Invalid sample rate")

    check_output_settings = check_input_settings


STANDARD = [
    dev("Built-in Mic", 0, ins=2),
    dev("Speakers", 1, ins=0, outs=2),
    dev("USB Audio Interface", 2, ins=4, outs=4, rate=44100.0),
]


def test_list_devices_and_defaults(fake_sd):
    fake_sd(FakeSd(STANDARD))
    found = devices.list_devices()
    assert [d.name for d in found] == ["Built-in Mic", "Speakers", "USB Audio Interface"]
    assert found[0].is_default_input and not found[0].is_default_output
    assert found[1].is_default_output
    assert found[2].hostapi == "ALSA" and found[2].default_samplerate == 44100.0
    assert devices.audio_available("input") == (True, "")
    assert "Built-in Mic" in found[0].label()


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        (None, 0),
        ("default", 0),
        (2, 2),
        ("2", 2),
        ("USB Audio Interface", 2),
        ("usb", 2),
        ("MIC", 0),
    ],
)
def test_resolve_input(fake_sd, spec, want):
    fake_sd(FakeSd(STANDARD))
    assert devices.resolve_device(spec, "input").index == want


def test_resolve_output_default(fake_sd):
    fake_sd(FakeSd(STANDARD))
    assert devices.resolve_device(None, "output").name == "Speakers"


def test_unknown_device_lists_the_available_ones(fake_sd):
    fake_sd(FakeSd(STANDARD))
    with pytest.raises(DeviceError, match="no audio input device matches 'piano'.*Built-in Mic"):
        devices.resolve_device("piano")
    with pytest.raises(DeviceError, match="index 9"):
        devices.resolve_device(9)
    with pytest.raises(DeviceError, match="no input channels"):
        devices.resolve_device(1, "input")


def test_ambiguous_substring(fake_sd):
    fake_sd(FakeSd([dev("USB Mic A", 0), dev("USB Mic B", 1)]))
    with pytest.raises(DeviceError, match="ambiguous"):
        devices.resolve_device("usb mic")


def test_default_missing_falls_back_to_first_input(fake_sd):
    fake_sd(FakeSd(STANDARD, default=(-1, -1)))
    assert devices.resolve_device(None).index == 0


def test_odd_device_names_do_not_crash(fake_sd):
    names = [b"Mikrofon \xe4\xf6", "Surrogate \udcff mic", b"Caf\xc3\xa9 USB", 42]
    fake_sd(FakeSd([dev(n, i) for i, n in enumerate(names)]))
    found = devices.list_devices()
    assert len(found) == 4
    for d in found:
        d.name.encode("utf-8")  # printable
        d.label().encode("utf-8")
    assert found[0].name == "Mikrofon äö"
    assert found[2].name == "Café USB"
    assert devices.resolve_device("café").index == 2


def test_sounddevice_decode_error_falls_back_to_raw_names(fake_sd):
    class Undecodable(FakeSd):
        def query_devices(self, index=None):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    sd = Undecodable([])
    info = SimpleNamespace(
        name=b"Bad \xff name",
        hostApi=0,
        maxInputChannels=1,
        maxOutputChannels=0,
        defaultSampleRate=48000.0,
    )
    sd._lib = SimpleNamespace(Pa_GetDeviceCount=lambda: 1, Pa_GetDeviceInfo=lambda i: info)
    sd._ffi = SimpleNamespace(string=lambda b: b)
    fake_sd(sd)
    found = devices.list_devices()
    assert [d.name for d in found] == ["Bad ÿ name"]


def test_no_devices_is_a_normal_state(fake_sd):
    fake_sd(FakeSd([], default=(-1, -1)))
    assert devices.list_devices() == []
    ok, why = devices.audio_available()
    assert not ok and "no audio devices" in why
    with pytest.raises(DeviceError, match="no audio input device"):
        devices.resolve_device(None)


def test_only_outputs_means_no_input(fake_sd):
    fake_sd(FakeSd([dev("Speakers", 0, ins=0, outs=2)], default=(-1, 0)))
    ok, why = devices.audio_available("input")
    assert not ok and "Speakers" in why
    with pytest.raises(DeviceError, match="no audio input devices.*Speakers"):
        devices.resolve_device(None, "input")


def test_portaudio_missing(monkeypatch):
    monkeypatch.setattr(devices, "_sd_module", None)
    monkeypatch.setattr(devices, "_sd_problem", "sounddevice/PortAudio is not usable: no lib")
    assert devices.list_devices() == []
    assert devices.audio_available() == (False, "sounddevice/PortAudio is not usable: no lib")
    with pytest.raises(DeviceError, match="not usable"):
        devices.resolve_device("x")


def test_import_oserror_is_caught(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(devices, "_sd_module", None)
    monkeypatch.setattr(devices, "_sd_problem", None)
    monkeypatch.setattr(builtins, "__import__", failing)
    assert devices.sounddevice_module() is None
    assert "PortAudio library not found" in devices.audio_available()[1]


def test_query_failure_is_reported(fake_sd):
    class Broken(FakeSd):
        def query_devices(self, index=None):
            raise RuntimeError("PortAudio exploded")

    fake_sd(Broken([]))
    assert devices.list_devices() == []
    assert "PortAudio exploded" in devices.audio_available()[1]


def test_negotiate_sample_rate(fake_sd):
    sd = fake_sd(FakeSd(STANDARD, rates=(44100,)))
    mic = devices.resolve_device(0)
    assert devices.negotiate_sample_rate(mic, 96000) == 44100
    assert sd.checked == [96000, 48000, 44100]
    usb = devices.resolve_device(2)
    assert devices.negotiate_sample_rate(usb, None) == 44100


def test_negotiate_fails_clearly(fake_sd):
    fake_sd(FakeSd(STANDARD, rates=()))
    with pytest.raises(DeviceError, match="accepts none of the sample rates"):
        devices.negotiate_sample_rate(devices.resolve_device(0), 22050)


# -- `kord analyze mic` device handling (no real device needed) ----------------------------------


def test_cli_lists_devices(fake_sd, capsys, mic_cli):
    fake_sd(FakeSd(STANDARD))
    assert mic_cli(["--list-devices"]) == 0
    out = capsys.readouterr().out
    assert "Built-in Mic" in out and "USB Audio Interface" in out
    assert mic_cli(["--list-devices", "--json"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    assert [d["index"] for d in listed] == [0, 1, 2] and listed[0]["is_default_input"]


def test_cli_without_devices_is_one_line_exit_2(fake_sd, capsys, mic_cli):
    fake_sd(FakeSd([], default=(-1, -1)))
    for argv in (["--seconds", "1"], ["--live", "--seconds", "1"], ["--list-devices"]):
        assert mic_cli(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("kord: error:") and err.count("\n") == 1 and "no audio" in err


def test_cli_unknown_device_and_bad_seconds(fake_sd, capsys, mic_cli):
    fake_sd(FakeSd(STANDARD))
    assert mic_cli(["--device", "theremin", "--seconds", "1"]) == 2
    assert "theremin" in capsys.readouterr().err
    assert mic_cli(["--seconds", "0"]) == 2
    assert "--seconds" in capsys.readouterr().err


def test_cli_change_line_format():
    from kord_engine.audio.listen.detection import Detection
    from kord_engine.cli.mic_cmds import format_change

    cmaj7 = Detection(pitch_classes=(0, 4, 7, 11), bass=0, confidence=0.912, chords=("Cmaj7",))
    assert format_change(1.234, cmaj7) == "   1.23s  Cmaj7   (C E G B, bass C, 0.91)"
    assert format_change(2.5, None) == "   2.50s  (silence)"
