"""Note/chord detectors behind one interface: kord's deterministic one, ours (the default) and
the ONNX model. `make_detector(name)` builds one by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kord_engine.audio.listen.detection import Detector
from kord_engine.errors import KordError


def _kord(**options: Any) -> Detector:
    from kord_engine.audio.listen.detect.kord import KordDetector

    return KordDetector(**options)


def _default(**options: Any) -> Detector:
    from kord_engine.audio.listen.detect.harmonic import HarmonicDetector

    return HarmonicDetector(**options)


def _ml(**options: Any) -> Detector:
    try:
        from kord_engine.audio.listen.model.infer import MlDetector
    except ImportError as exc:
        raise KordError(f"the ml detector is not available ({exc})") from exc
    return MlDetector(**options)


def _hybrid(**options: Any) -> Detector:
    try:
        from kord_engine.audio.listen.detect.hybrid import HybridDetector
    except ImportError as exc:
        raise KordError(f"the hybrid detector is not available ({exc})") from exc
    return HybridDetector(**options)


#: detector name → factory(**options)
DETECTORS: dict[str, Callable[..., Detector]] = {
    "default": _default,
    "kord": _kord,
    "ml": _ml,
    "hybrid": _hybrid,
}


def make_detector(name: str = "default", **options: Any) -> Detector:
    """Build the detector called `name` ("default", "kord" or "ml")."""
    factory = DETECTORS.get(name)
    if factory is None:
        raise KordError(f"unknown detector {name!r} (choose from {', '.join(DETECTORS)})")
    return factory(**options)
