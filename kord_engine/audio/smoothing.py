"""Turn a jittery stream of per-hop detections into stable chord changes: a new pitch-class
set (or silence) must persist for a hold time before it replaces the current one."""

from __future__ import annotations

from kord_engine.audio.detection import Detection


class ChordSmoother:
    """Hysteresis on pitch-class sets.

    hold_seconds: how long a new (non-empty) pitch-class set must be seen, uninterrupted,
        before it becomes the stable chord.
    release_seconds: how long silence (an empty detection) must last before the stable
        chord clears to "no chord" (defaults to hold_seconds).
    superset_hold_seconds: how long a set that contains the whole stable chord plus more
        notes must last (defaults to hold_seconds). While a sustained chord changes, the
        analysis window holds both chords and the detector hears their union; a hold as long
        as the window keeps that mixture from ever becoming stable.
    A brief different frame in the middle of a held chord resets the candidate, so the
    stable label never flickers.
    """

    def __init__(
        self,
        hold_seconds: float = 0.15,
        release_seconds: float | None = None,
        superset_hold_seconds: float | None = None,
    ):
        for value in (hold_seconds, release_seconds, superset_hold_seconds):
            if value is not None and value < 0:
                raise ValueError("hold and release times must be ≥ 0 seconds")
        self.hold_seconds = float(hold_seconds)
        self.release_seconds = float(hold_seconds if release_seconds is None else release_seconds)
        self.superset_hold_seconds = float(
            hold_seconds if superset_hold_seconds is None else superset_hold_seconds
        )
        self.reset()

    def reset(self) -> None:
        """Back to "no chord", nothing pending."""
        self._stable: Detection | None = None
        self._candidate: tuple[int, ...] | None = None
        self._since = 0.0

    @property
    def stable(self) -> Detection | None:
        return self._stable

    def _stable_key(self) -> tuple[int, ...]:
        return self._stable.pitch_classes if self._stable is not None else ()

    def update(self, detection: Detection, t: float) -> tuple[Detection | None, bool]:
        """Feed one hop's detection at stream time t (s, non-decreasing).

        Returns (stable detection or None for "no chord", whether it changed on this hop).
        """
        key = tuple(detection.pitch_classes)
        if key == self._stable_key():
            self._candidate = None
            return self._stable, False
        if key != self._candidate:
            self._candidate = key
            self._since = t
        stable_key = self._stable_key()
        if not key:
            hold = self.release_seconds
        elif stable_key and set(stable_key) < set(key):
            hold = max(self.hold_seconds, self.superset_hold_seconds)
        else:
            hold = self.hold_seconds
        # a tiny epsilon so hop times like 0.1 + 0.05 count as a full 0.15 s
        if t - self._since + 1e-9 >= hold:
            self._stable = detection if key else None
            self._candidate = None
            return self._stable, True
        return self._stable, False
