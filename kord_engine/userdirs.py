"""Where user data lives (settings, trained models, recordings): the platform's user dirs."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP = "kord-desktop"


def data_dir() -> Path:
    """User data root ($KORD_DATA_DIR overrides, for tests and portable installs)."""
    env = os.environ.get("KORD_DATA_DIR")
    return Path(env) if env else user_data_path(APP, appauthor=False)


def config_dir() -> Path:
    env = os.environ.get("KORD_CONFIG_DIR")
    return Path(env) if env else user_config_path(APP, appauthor=False)


def models_dir() -> Path:
    """Trained models the user made; one folder per model."""
    return data_dir() / "models"


def recordings_dir() -> Path:
    return data_dir() / "recordings"
