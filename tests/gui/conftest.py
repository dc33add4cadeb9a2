"""Fixtures for the main-window tests: fake audio devices, isolated settings, a window factory,
and the training wizard (with its own AppContext) that the record and fine-tune page tests
drive."""

from __future__ import annotations

from pathlib import Path

import pytest

from kord_engine.audio.input import devices
from kord_engine.audio.input.devices import DeviceInfo
from tests.gui.fakes import make_context

FAKE_DEVICES = [
    DeviceInfo(0, "Fake Mic A", "Test", 2, 0, 48000.0, is_default_input=True),
    DeviceInfo(1, "Fake Mic B", "Test", 1, 0, 44100.0),
    DeviceInfo(2, "Fake Speakers", "Test", 0, 2, 48000.0, is_default_output=True),
]


@pytest.fixture
def fake_devices(monkeypatch):
    """Three fake devices (two inputs, one output) for listing; nothing is opened."""
    monkeypatch.setattr(devices, "_query", lambda: (list(FAKE_DEVICES), None))
    return FAKE_DEVICES


@pytest.fixture
def no_devices(monkeypatch):
    """A machine with no audio devices at all (every engine lookup sees an empty list)."""
    monkeypatch.setattr(devices, "_query", lambda: ([], "PortAudio found no audio devices"))


@pytest.fixture
def ctx(qtbot, tmp_path):
    """A FakeContext (silent player, fake analyzer) for the panel tests; see tests/gui/fakes.py."""
    return make_context(qtbot, tmp_path)


@pytest.fixture
def settings_path(tmp_path) -> Path:
    return tmp_path / "kord-desktop.ini"


@pytest.fixture
def make_window(qtbot, settings_path):
    """Factory: a shown MainWindow reading/writing `settings_path`, with a silent synth."""
    from kord_desktop.context import AppContext
    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings

    def make(path: Path | None = None):
        settings = Settings(path or settings_path)
        window = MainWindow(AppContext(settings, start_audio=False))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def app_context(qtbot, tmp_path):
    """A real AppContext (no audio started) on a fresh settings file, for the wizard."""
    from kord_desktop.context import AppContext
    from kord_desktop.settings import Settings

    ctx = AppContext(Settings(tmp_path / "settings.ini"), start_audio=False)
    qtbot.addWidget(ctx.keyboard)
    return ctx


@pytest.fixture
def wizard(qtbot, app_context):
    """A shown TrainingWizard on `app_context` (no device probe), shut down after the test."""
    from kord_desktop.panels import training_wizard as tw

    wizard = tw.TrainingWizard(app_context, probe=False)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    yield wizard
    wizard.shutdown()
