"""The one error family the engine raises for bad input, so callers catch one type."""

from __future__ import annotations


class KordError(Exception):
    """Base class for every error the engine raises on purpose (bad input, missing device, …)."""


class ParseError(KordError, ValueError):
    """Text that could not be understood: says what, and where (0-based character position)."""

    def __init__(self, message: str, text: str | None = None, position: int | None = None):
        self.text = text
        self.position = position
        detail = message
        if text is not None and position is not None:
            shown = text if len(text) <= 60 else text[:57] + "…"
            detail = f"{message} (at position {position} in {shown!r})"
        super().__init__(detail)


class AudioError(KordError):
    """Audio that could not be read, decoded or captured (corrupt file, missing device, …)."""


class DeviceError(AudioError):
    """An audio device that does not exist, disappeared, or refused the requested settings."""


class SampleFormatError(KordError):
    """A kord `.bin` sample of the wrong size or content."""


class ModelError(KordError):
    """A model artifact that is missing, corrupt or does not match its config."""
