"""Qt adapter over the engine's Synth + Player: play notes and chords from the GUI thread.

The synth renders inside the Player's audio callback; GUI calls only flip voices on and off, so
they never block. With no output device the bridge stays silent but still tracks and emits the
sounding notes, so the keyboard lights what was "played".
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

CHORD_SECONDS = 1.6
ARPEGGIO_STEP = 0.2  # seconds between arpeggiated chord tones (kord plays 0.2 s)
#: synth master gain at full volume (the engine's default gain, 0.25, is volume 0.625)
GAIN_AT_FULL_VOLUME = 0.4
#: the output stream pauses after the synth has been silent this long (an idle open stream
#: costs ~2.5 % of a core); the next note starts it again in ~2 ms
IDLE_PAUSE_SECONDS = 2.0


class SynthBridge(QObject):
    """One synth voice pool and output stream for the whole app."""

    #: set[int] of MIDI notes currently sounding (or "sounding" when silent)
    notes_sounding = Signal(object)
    _opened = Signal(str)  # worker thread → GUI thread: "" or why the output is silent
    #: float 0..1 — the volume changed (toolbar and synth panel stay in step)
    volume_changed = Signal(float)
    #: str — why the output is silent (no device, device lost); "" when audible again
    output_status = Signal(str)

    def __init__(self, parent: QObject | None = None, volume: float = 0.8, start: bool = True):
        super().__init__(parent)
        self._synth: Any = None
        self._player: Any = None
        self._device: str | int | None = None
        self._volume = float(volume)
        self._sounding: set[int] = set()
        self._generation = 0
        self.arpeggio_step = ARPEGGIO_STEP
        self._open_lock = threading.Lock()
        self._open_generation = 0
        self._opened.connect(self._on_opened)
        self._watch = QTimer(self)  # notices an output device that went away
        self._watch.setInterval(1000)
        self._watch.timeout.connect(self._check_output)
        self.silent_reason = "not started"
        self._make_synth()
        if start:
            self.set_output_device(None)

    # ---------------------------------------------------------------------- set-up
    def _make_synth(self) -> None:
        try:
            from kord_engine.audio.sound.synth import Synth, SynthConfig

            self._synth = Synth(SynthConfig())
            self._apply_volume()
        except Exception as exc:  # noqa: BLE001 - engine piece missing: stay silent
            self._synth = None
            self.silent_reason = f"synth unavailable ({exc})"

    def _open_output(self, generation: int) -> None:
        """(Re)open the output stream on the chosen device (any thread); on failure stay silent.
        A newer set_output_device() call (generation) wins over this one."""
        with self._open_lock:
            if generation != self._open_generation:
                return
            self._close_output()
            reason = ""
            if self._synth is None:
                reason = self.silent_reason
            else:
                try:
                    from kord_engine.audio.input.devices import audio_available
                    from kord_engine.audio.sound.player import Player

                    ok, why = audio_available("output")
                    if not ok:
                        raise RuntimeError(why or "no audio output device")
                    player = Player(
                        self._synth,
                        device=self._device or None,
                        idle_pause_seconds=IDLE_PAUSE_SECONDS,
                    )
                    player.start()
                except Exception as exc:  # noqa: BLE001 - any device failure means: silent
                    reason = f"no sound output: {exc}"
                else:
                    if generation == self._open_generation:
                        self._player = player
                    else:
                        player.stop()
                        return
        self._opened.emit(reason)

    def _on_opened(self, reason: str) -> None:
        self.silent_reason = reason
        self.output_status.emit(reason)
        if reason:
            self._watch.stop()
        else:
            self._watch.start()

    def _check_output(self) -> None:
        """A stream that died (device unplugged) → silent, with the reason, until reopened."""
        player = self._player
        error = getattr(player, "error", None) if player is not None else None
        if error:
            with self._open_lock:
                self._close_output()
            self._on_opened(f"sound output lost: {error}")

    def _close_output(self) -> None:
        player, self._player = self._player, None
        if player is not None:
            with contextlib.suppress(Exception):  # closing a lost device may fail
                player.stop()

    def close(self) -> None:
        """Silence everything and close the output stream."""
        self.all_off()
        self._open_generation += 1  # an open still in flight closes its own stream
        with self._open_lock:
            self._close_output()

    @property
    def audible(self) -> bool:
        return self._player is not None

    @property
    def sounding(self) -> set[int]:
        return set(self._sounding)

    # --------------------------------------------------------------------- playing
    def note_on(self, midi: int, velocity: float = 0.8) -> None:
        if self._synth is not None:
            with contextlib.suppress(Exception):  # out-of-range notes etc.: ignore
                self._synth.note_on(int(midi), float(velocity))
        self._sounding.add(int(midi))
        self.notes_sounding.emit(set(self._sounding))

    def note_off(self, midi: int) -> None:
        if self._synth is not None:
            with contextlib.suppress(Exception):
                self._synth.note_off(int(midi))
        self._sounding.discard(int(midi))
        self.notes_sounding.emit(set(self._sounding))

    def all_off(self) -> None:
        """Stop every note, including scheduled chord notes."""
        self._generation += 1
        if self._synth is not None:
            with contextlib.suppress(Exception):
                self._synth.all_notes_off()
        if self._sounding:
            self._sounding.clear()
        self.notes_sounding.emit(set())

    def play_chord(
        self, midis: Iterable[int], arpeggio: bool = False, duration: float = CHORD_SECONDS
    ) -> None:
        """Sound `midis` together (or one after another when `arpeggio`) for `duration` s."""
        self.all_off()
        generation = self._generation
        notes = sorted({int(m) for m in midis})
        for k, midi in enumerate(notes):
            delay = k * self.arpeggio_step if arpeggio else 0.0
            if delay == 0:
                self.note_on(midi)
            else:
                self._later(delay, generation, lambda m=midi: self.note_on(m))
        end = duration + (len(notes) - 1) * self.arpeggio_step * arpeggio
        self._later(end, generation, lambda: [self.note_off(m) for m in notes])

    def _later(self, seconds: float, generation: int, fn) -> None:
        """Run `fn` after `seconds` unless all_off() (a new generation) came first."""

        def fire() -> None:
            if generation == self._generation:
                fn()

        # a context-object single shot: no QTimer objects to own or delete
        QTimer.singleShot(int(seconds * 1000), self, fire)

    # -------------------------------------------------------------------- settings
    def set_timbre(self, timbre: str) -> None:
        self._set_config(timbre=timbre)

    def set_adsr(self, attack: float, decay: float, sustain: float, release: float) -> None:
        self._set_config(attack=attack, decay=decay, sustain=sustain, release=release)

    def set_volume(self, volume: float) -> None:
        volume = min(1.0, max(0.0, float(volume)))
        if volume == self._volume:
            return
        self._volume = volume
        self._apply_volume()
        self.volume_changed.emit(volume)

    def set_arpeggio_speed(self, seconds: float) -> None:
        """Seconds between the tones of an arpeggiated chord."""
        self.arpeggio_step = min(2.0, max(0.0, float(seconds)))

    def set_output_device(self, device: str | int | None, blocking: bool = False) -> None:
        """Play on `device` (None: system default). The stream opens on a worker thread so
        the GUI never waits for the audio server; `output_status` reports the outcome."""
        self._device = device or None
        self._open_generation += 1
        if blocking:
            self._open_output(self._open_generation)
        else:
            threading.Thread(
                target=self._open_output,
                args=(self._open_generation,),
                name="kord-synth-open",
                daemon=True,
            ).start()

    def set_sustain(self, on: bool) -> None:
        """Sustain pedal (the keyboard's space bar)."""
        if self._synth is not None:
            self._synth.set_sustain(bool(on))

    @property
    def volume(self) -> float:
        return self._volume

    def _apply_volume(self) -> None:
        self._set_config(gain=self._volume * GAIN_AT_FULL_VOLUME)

    def _set_config(self, **changes: Any) -> None:
        """Switch the synth to its config with `changes` (applied by the render side)."""
        synth = self._synth
        if synth is None:
            return
        synth.set_config(dataclasses.replace(synth.config, **changes))
