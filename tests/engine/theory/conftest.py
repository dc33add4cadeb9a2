"""Parametrize theory tests over kord_vectors.json: a test asking for `v_<section>` gets one
entry per test (`v_<section>__<api>`: only entries with that "api").  The JSON lives in
../shared (see tests/conftest.py); absent → skipped."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("KORD_SHARED", ROOT.parent / "shared"))
VECTORS = SHARED / "specs" / "kord_vectors.json"


@lru_cache(maxsize=1)
def load_vectors() -> dict | None:
    if not VECTORS.is_file():
        return None
    return json.loads(VECTORS.read_text(encoding="utf-8"))


def _entry_id(index: int, entry: dict) -> str:
    for key in ("input", "symbol", "cmd", "notes", "note", "name", "scale_kind", "mode_kind"):
        if key in entry:
            text = " ".join(entry[key]) if isinstance(entry[key], list) else str(entry[key])
            return f"{index}-{text[:40]}"
    return str(index)


def pytest_generate_tests(metafunc):
    for name in metafunc.fixturenames:
        if not name.startswith("v_"):
            continue
        section, _, api = name[2:].partition("__")
        vectors = load_vectors()
        if vectors is None:
            params = [pytest.param(None, marks=pytest.mark.skip(reason=f"{VECTORS} not found"))]
            metafunc.parametrize(name, params)
            continue
        entries = vectors[section]
        if api:
            entries = [e for e in entries if e.get("api") == api]
        ids = [_entry_id(i, e) for i, e in enumerate(entries)]
        metafunc.parametrize(name, entries, ids=ids)


@pytest.fixture
def vectors(shared_dir) -> dict:
    data = load_vectors()
    if data is None:
        pytest.skip("kord_vectors.json not found")
    return data
