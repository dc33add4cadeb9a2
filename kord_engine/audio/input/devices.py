"""Audio devices through sounddevice/PortAudio: list them, pick one by index or name, agree a
sample rate. No devices (or no PortAudio at all) is a normal state, not a crash."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from kord_engine.errors import DeviceError

log = logging.getLogger(__name__)

Kind = Literal["input", "output"]
#: rates tried after the requested one and the device default
FALLBACK_RATES = (48000, 44100)


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device as the app shows it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    def channels(self, kind: Kind) -> int:
        return self.max_input_channels if kind == "input" else self.max_output_channels

    def label(self) -> str:
        """One line for lists: index, name, host API, channels, rate, default marks."""
        marks = "".join(
            m for m, on in (("<", self.is_default_input), (">", self.is_default_output)) if on
        )
        return (
            f"{marks:>2} {self.index:3d} {self.name} ({self.hostapi}, "
            f"{self.max_input_channels} in, {self.max_output_channels} out, "
            f"{self.default_samplerate:g} Hz)"
        )


_sd_module: ModuleType | None = None
_sd_problem: str | None = None


def sounddevice_module() -> ModuleType | None:
    """The imported sounddevice module, or None when it (or the PortAudio library) is missing."""
    global _sd_module, _sd_problem
    if _sd_module is None and _sd_problem is None:
        try:
            import sounddevice  # noqa: PLC0415  (lazy: importing loads PortAudio)

            _sd_module = sounddevice
        except (OSError, ImportError) as exc:  # OSError: "PortAudio library not found"
            _sd_problem = f"sounddevice/PortAudio is not usable: {exc}"
    return _sd_module


def _text(name: Any) -> str:
    """A device name as printable text, whatever encoding the driver used."""
    if isinstance(name, (bytes, bytearray)):
        try:
            return bytes(name).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(name).decode("latin-1")
    text = str(name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from surrogateescape decoding
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _raw_device(sd: ModuleType, index: int) -> dict[str, Any]:
    """One device's dict; falls back to PortAudio's raw bytes when sounddevice cannot decode."""
    try:
        return dict(sd.query_devices(index))
    except UnicodeDecodeError:
        info = sd._lib.Pa_GetDeviceInfo(index)  # type: ignore[attr-defined]
        return {
            "name": sd._ffi.string(info.name),  # type: ignore[attr-defined]
            "index": index,
            "hostapi": info.hostApi,
            "max_input_channels": info.maxInputChannels,
            "max_output_channels": info.maxOutputChannels,
            "default_samplerate": info.defaultSampleRate,
        }


def _raw_devices(sd: ModuleType) -> list[dict[str, Any]]:
    try:
        return [dict(d) for d in sd.query_devices()]
    except UnicodeDecodeError:
        count = sd._lib.Pa_GetDeviceCount()  # type: ignore[attr-defined]
        out = []
        for i in range(max(0, int(count))):
            try:
                out.append(_raw_device(sd, i))
            except Exception as exc:  # one odd device must not hide the others
                log.debug("skipping device %d: %s", i, exc)
        return out


def _hostapi_names(sd: ModuleType) -> list[str]:
    try:
        return [_text(h.get("name", "?")) for h in sd.query_hostapis()]
    except Exception:
        return []


def _default_indices(sd: ModuleType) -> tuple[int, int]:
    try:
        pair = list(sd.default.device)
        return int(pair[0] if pair[0] is not None else -1), int(
            pair[1] if pair[1] is not None else -1
        )
    except Exception:
        return -1, -1


def _query() -> tuple[list[DeviceInfo], str | None]:
    sd = sounddevice_module()
    if sd is None:
        return [], _sd_problem
    try:
        raw = _raw_devices(sd)
    except Exception as exc:  # PortAudioError, a broken driver …
        return [], f"PortAudio could not list devices: {exc}"
    apis = _hostapi_names(sd)
    default_in, default_out = _default_indices(sd)
    devices = []
    for position, d in enumerate(raw):
        index = int(d.get("index", position))
        api = d.get("hostapi", "")
        api_name = apis[api] if isinstance(api, int) and 0 <= api < len(apis) else _text(api)
        devices.append(
            DeviceInfo(
                index=index,
                name=_text(d.get("name", f"device {index}")),
                hostapi=api_name,
                max_input_channels=int(d.get("max_input_channels", 0)),
                max_output_channels=int(d.get("max_output_channels", 0)),
                default_samplerate=float(d.get("default_samplerate", 0.0) or 0.0),
                is_default_input=index == default_in,
                is_default_output=index == default_out,
            )
        )
    if not devices:
        return [], "PortAudio found no audio devices"
    return devices, None


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio knows, or [] when there are none (see audio_available())."""
    return _query()[0]


def audio_available(kind: Kind | None = None) -> tuple[bool, str]:
    """(True, "") when there is a usable device (of `kind`, if given), else (False, why)."""
    devices, problem = _query()
    if problem:
        return False, problem
    if kind is not None and not any(d.channels(kind) > 0 for d in devices):
        return False, f"no audio {kind} devices (found only: {_names(devices)})"
    return True, ""


def _names(devices: list[DeviceInfo]) -> str:
    return ", ".join(f"{d.index}: {d.name}" for d in devices) or "none"


def resolve_device(spec: str | int | None = None, kind: Kind = "input") -> DeviceInfo:
    """Find a device of `kind` by index, exact name, or case-insensitive name substring.

    None (or "" / "default") means the system default. Raises DeviceError naming the choices.
    """
    devices, problem = _query()
    if problem:
        raise DeviceError(f"no audio {kind} device: {problem}")
    usable = [d for d in devices if d.channels(kind) > 0]
    if not usable:
        raise DeviceError(f"no audio {kind} devices (found only: {_names(devices)})")
    if isinstance(spec, str):
        spec = spec.strip()
        if spec.lstrip("-").isdigit():
            spec = int(spec)
    if spec is None or spec == "" or (isinstance(spec, str) and spec.lower() == "default"):
        flag = "is_default_input" if kind == "input" else "is_default_output"
        for d in usable:
            if getattr(d, flag):
                return d
        return usable[0]
    if isinstance(spec, int):
        for d in devices:
            if d.index == spec:
                if d.channels(kind) < 1:
                    raise DeviceError(
                        f"audio device {spec} ({d.name}) has no {kind} channels; "
                        f"{kind} devices: {_names(usable)}"
                    )
                return d
        raise DeviceError(f"no audio device with index {spec}; {kind} devices: {_names(usable)}")
    exact = [d for d in usable if d.name == spec]
    if exact:
        return exact[0]
    needle = spec.casefold()
    matches = [d for d in usable if needle in d.name.casefold()]
    if len(matches) == 1 or (matches and len({d.name for d in matches}) == 1):
        return matches[0]
    if matches:
        raise DeviceError(f"audio {kind} device {spec!r} is ambiguous: {_names(matches)}")
    raise DeviceError(f"no audio {kind} device matches {spec!r}; {kind} devices: {_names(usable)}")


def negotiate_sample_rate(
    device: DeviceInfo, requested: int | None = None, kind: Kind = "input", channels: int = 1
) -> int:
    """The first rate the device accepts: requested, device default, then 48000 and 44100."""
    sd = sounddevice_module()
    if sd is None:
        raise DeviceError(f"no audio {kind} device: {_sd_problem}")
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    candidates: list[int] = []
    for rate in (requested, device.default_samplerate, *FALLBACK_RATES):
        if rate and int(rate) > 0 and int(rate) not in candidates:
            candidates.append(int(rate))
    problems = []
    for rate in candidates:
        try:
            check(device=device.index, samplerate=rate, channels=channels, dtype="float32")
            return rate
        except Exception as exc:  # PortAudioError / ValueError: "Invalid sample rate"
            problems.append(f"{rate} Hz: {exc}")
    raise DeviceError(
        f"audio {kind} device {device.name!r} accepts none of the sample rates tried "
        f"({'; '.join(problems)})"
    )


def open_stream(
    sd: ModuleType | None,
    kind: Kind,
    device: DeviceInfo,
    rate: int,
    channels: int,
    blocksize: int,
    callback: Any,
    finished_callback: Any,
    **extra: Any,
) -> Any:
    """Open and start a float32 sounddevice stream on `device` (capture and player share it);
    DeviceError naming the device and rate if it cannot."""
    try:
        stream_class = sd.InputStream if kind == "input" else sd.OutputStream  # type: ignore[union-attr]
        stream = stream_class(
            device=device.index,
            samplerate=rate,
            channels=channels,
            dtype="float32",
            blocksize=blocksize,
            callback=callback,
            finished_callback=finished_callback,
            **extra,
        )
        stream.start()
    except Exception as exc:  # sd.PortAudioError, ValueError for bad settings
        raise DeviceError(
            f"could not open audio {kind} {device.name!r} at {rate} Hz: {exc}"
        ) from exc
    return stream


def close_stream(stream: Any, kind: Kind, drain: bool = True) -> None:
    """Stop then close `stream`, logging (not raising) what a vanished device refuses.
    `drain=False` aborts instead of stopping: what is queued for the device is dropped, not
    waited for (through PulseAudio a stop can wait 0.5–2 s for its buffer to play out)."""
    for action in (stream.stop if drain else stream.abort, stream.close):
        try:
            action()
        except Exception as exc:  # a vanished device may refuse to stop cleanly
            log.debug("closing %s stream: %s", kind, exc)
