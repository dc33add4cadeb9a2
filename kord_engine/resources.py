"""Find the files the app ships (default model, icons) wherever the app is installed.

Order: $KORD_RESOURCES, a PyInstaller bundle, the source tree (editable/dev), the installed
`kord_resources` package (wheel). User data never goes here: see `kord_engine.userdirs`.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The folder holding `models/` and `icons/`."""
    env = os.environ.get("KORD_RESOURCES")
    if env:
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    source = Path(__file__).resolve().parent.parent / "resources"
    if source.is_dir():
        return source
    try:
        import kord_resources  # installed from a wheel

        return Path(kord_resources.__file__).resolve().parent
    except ImportError:  # pragma: no cover - broken install
        return source


def resource_path(*parts: str) -> Path:
    """Path of one shipped resource, e.g. `resource_path("models", "default", "model.onnx")`."""
    return resources_dir().joinpath(*parts)


def default_model_dir() -> Path:
    """The folder of the shipped default chord model (ONNX + config + thresholds + report)."""
    return resource_path("models", "default")
