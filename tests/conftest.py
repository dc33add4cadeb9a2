"""Shared test fixtures: where ../shared lives, and skips for what a machine lacks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KORD_SHARED", ROOT.parent / "shared"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's settings or models from a test."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("KORD_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("KORD_CONFIG_DIR", str(base / "config"))
