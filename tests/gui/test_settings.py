"""Settings: typed values with defaults, corrupt values fall back, and they survive a restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from kord_desktop.settings import OPTIONS, Settings

pytestmark = pytest.mark.gui


def test_defaults_when_empty(settings_path):
    s = Settings(settings_path)
    for key, option in OPTIONS.items():
        assert s.get(key) == option.default, key


def test_heard_chords_are_named_as_a_lead_sheet_by_default(
    settings_path, make_window, fake_devices
):
    assert Settings(settings_path).get("view/chord_names") == "lead-sheet"
    w = make_window()
    assert w.chord_names == "lead-sheet" and w.chord_names_actions["lead-sheet"].isChecked()
    with pytest.raises(ValueError, match="view/chord_names"):
        w.set_chord_names("jazz")
    assert w.chord_names == "lead-sheet"


def test_set_and_get_round_trip_with_types(settings_path):
    s = Settings(settings_path)
    s.set("audio/gate_db", -42)
    s.set("audio/detector", "kord")
    s.set("view/theme", "dark")
    s.sync()
    again = Settings(settings_path)
    assert again.get("audio/gate_db") == -42.0 and isinstance(again.get("audio/gate_db"), float)
    assert again.get("audio/detector") == "kord"
    assert again.get("view/theme") == "dark"


@pytest.mark.parametrize(
    "key, raw",
    [
        ("audio/gate_db", "loud"),
        ("audio/gate_db", "12"),  # above 0 dB
        ("audio/gate_db", "nan"),
        ("audio/detector", "telepathy"),
        ("view/theme", "purple"),
        ("view/note_names", 7),
        ("view/chord_names", "jazz"),
        ("synth/volume", "-3"),
    ],
)
def test_corrupt_values_fall_back_to_defaults(settings_path, key, raw):
    raw_settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    raw_settings.setValue(key, raw)
    raw_settings.sync()
    assert Settings(settings_path).get(key) == OPTIONS[key].default


def test_garbage_file_still_loads_defaults(settings_path):
    settings_path.write_bytes(b"\x00\xff[audio\ngate_db=\x01\x02\n=broken\n")
    s = Settings(settings_path)
    assert s.get("audio/gate_db") == OPTIONS["audio/gate_db"].default
    assert s.get("audio/detector") == "hybrid"


def test_set_rejects_bad_values_with_a_clear_error(settings_path):
    s = Settings(settings_path)
    with pytest.raises(ValueError, match="audio/detector"):
        s.set("audio/detector", "bogus")
    with pytest.raises(ValueError, match="synth/volume"):
        s.set("synth/volume", 3.0)


def test_window_settings_survive_a_restart(make_window, fake_devices, settings_path):
    w = make_window()
    t = w.toolbar
    t.input_combo.setCurrentIndex(t.input_combo.findData("Fake Mic B"))
    t.output_combo.setCurrentIndex(t.output_combo.findData("Fake Speakers"))
    t.set_detector("kord")
    t.set_gate(-41)
    t.set_volume(0.3)
    w.set_theme("light")
    w.set_note_names("all")
    w.set_chord_names("kord")
    w.resize(796, 700)  # the offscreen screen is 800×800; restoreGeometry keeps it on screen
    w.keyboard_dock.hide()
    w.close()

    w2 = make_window(settings_path)
    t2 = w2.toolbar
    assert t2.input_device == "Fake Mic B"
    assert t2.output_device == "Fake Speakers"
    assert t2.detector == "kord"
    assert t2.gate_db == -41.0
    assert t2.volume == pytest.approx(0.3)
    assert w2.settings.get("view/theme") == "light"
    assert w2.context.keyboard.note_names() == "all"
    assert w2.chord_names == "kord" and w2.chord_names_actions["kord"].isChecked()
    assert (w2.width(), w2.height()) == (796, 700)
    assert not w2.keyboard_dock.isVisible()


def test_missing_saved_device_is_kept_and_marked(make_window, fake_devices, settings_path):
    s = Settings(settings_path)
    s.set("audio/input_device", "USB Interface")
    s.sync()
    w = make_window()
    assert w.toolbar.input_device == "USB Interface"
    assert "(missing)" in w.toolbar.input_combo.currentText()
