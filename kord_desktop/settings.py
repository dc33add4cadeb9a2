"""The app's persistent options: a QSettings file with typed keys and defaults.

Values are read through `get`, which checks the type and falls back to the default when a value
is missing or corrupt, so a hand-edited or damaged settings file never breaks start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from kord_engine.audio.listen.tuning import A4_HZ, MAX_HZ, MIN_HZ
from kord_engine.theory.leadsheet import DEFAULT_NAMING_STYLE, NAMING_STYLES
from kord_engine.userdirs import config_dir

SETTINGS_FILE = "kord-desktop.ini"


@dataclass(frozen=True)
class Option:
    """One setting: its key, Python type, default and (for numbers) allowed range or choices."""

    key: str
    type: type
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None


OPTIONS: dict[str, Option] = {
    o.key: o
    for o in (
        Option("audio/input_device", str, ""),
        Option("audio/output_device", str, ""),
        Option("audio/detector", str, "hybrid", choices=("hybrid", "default", "kord", "ml")),
        Option("audio/gate_db", float, -55.0, minimum=-100.0, maximum=0.0),
        Option("synth/volume", float, 0.8, minimum=0.0, maximum=1.0),  # shared with SynthControls
        Option("model/dir", str, ""),
        # the reference pitch (A4): estimated live ("auto") or locked at tuning/locked_hz;
        # tuning/last_hz is the last estimate, where the next session's estimate starts
        Option("tuning/mode", str, "auto", choices=("auto", "locked")),
        Option("tuning/locked_hz", float, A4_HZ, minimum=MIN_HZ, maximum=MAX_HZ),
        Option("tuning/last_hz", float, A4_HZ, minimum=MIN_HZ, maximum=MAX_HZ),
        Option("view/theme", str, "system", choices=("system", "dark", "light")),
        Option("view/note_names", str, "c", choices=("none", "c", "all")),
        # how heard chords are named: "lead-sheet" (C/E, Cø7, C5) or kord's exact strings
        Option("view/chord_names", str, DEFAULT_NAMING_STYLE, choices=NAMING_STYLES),
        # Teach it your instrument: the last instrument and chords recorded
        Option("record/instrument", str, "my instrument"),
        Option(
            "record/chord_set", str, "default", choices=("default", "triads", "sevenths", "song")
        ),
        Option("record/song_chords", str, ""),
        Option("window/geometry", QByteArray, QByteArray()),
        Option("window/state", QByteArray, QByteArray()),
    )
}


def _coerce(option: Option, raw: Any) -> Any:
    """Turn a raw QSettings value into the option's type; raise ValueError/TypeError if corrupt."""
    if option.type is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"not a boolean: {raw!r}")
    if option.type is float:
        value = float(raw)
        if value != value:  # NaN
            raise ValueError("NaN")
        if option.minimum is not None and value < option.minimum:
            raise ValueError("below minimum")
        if option.maximum is not None and value > option.maximum:
            raise ValueError("above maximum")
        return value
    if option.type is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        if isinstance(raw, bytes | bytearray):
            return QByteArray(bytes(raw))
        raise TypeError(f"not bytes: {type(raw).__name__}")
    if option.type is str:
        if not isinstance(raw, str):
            raise TypeError(f"not text: {type(raw).__name__}")
        if option.choices is not None and raw not in option.choices:
            raise ValueError(f"not one of {option.choices}")
        return raw
    return option.type(raw)


class Settings(QSettings):
    """QSettings (INI file in the user's config dir) with typed `get`/`set` over `OPTIONS`.

    Panels may also use the plain QSettings `value`/`setValue` API for their own keys.
    """

    def __init__(self, path: str | Path | None = None, parent=None):
        path = Path(path) if path is not None else config_dir() / SETTINGS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(str(path), QSettings.Format.IniFormat, parent)

    def get(self, key: str) -> Any:
        """The stored value of `key` converted to its type, or its default if missing/corrupt."""
        option = OPTIONS[key]
        raw = self.value(key, None)
        if raw is None:
            return option.default
        try:
            return _coerce(option, raw)
        except (TypeError, ValueError):
            return option.default

    def set(self, key: str, value: Any) -> None:
        """Store `value` for `key` after checking it against the option (raises ValueError)."""
        option = OPTIONS[key]
        try:
            value = _coerce(option, value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad value for setting {key!r}: {value!r} ({exc})") from exc
        self.setValue(key, value)
