"""Turn a jittery stream of per-hop detections into stable chord changes: a new pitch-class
set (or silence) must persist for a hold time before it replaces the current one — or, right
after an attack, be confirmed by a few consecutive hops (the onset fast path)."""

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
    onset_hops: the onset fast path (0 disables it). Hops fed with `onset=` (the stream time
        of the attack whose audio alone was analysed: no mixture with the chord before) count
        as confirmations instead of waiting out the hold: the newest set becomes stable once
        at least `onset_hops` post-onset detections were seen and it is contained in each of
        the last `onset_hops + 2`. So 2 agreeing hops suffice, and the extra notes that early,
        short-audio detections carry may drop out (C+E+G+B, C+E+G → C+E+G) without restarting
        the count. A set of more than MAX_ONSET_NOTES pitch classes among them means the
        detector has not settled yet: then only the hold counts.
    A brief different frame in the middle of a held chord resets the candidate, so the
    stable label never flickers.
    """

    #: attacks found within this many seconds of each other are the same attack
    ONSET_TOLERANCE = 0.03
    #: post-onset detections with more pitch classes than this are a cloud, not a chord
    MAX_ONSET_NOTES = 6

    def __init__(
        self,
        hold_seconds: float = 0.15,
        release_seconds: float | None = None,
        superset_hold_seconds: float | None = None,
        onset_hops: int = 2,
    ):
        for value in (hold_seconds, release_seconds, superset_hold_seconds):
            if value is not None and value < 0:
                raise ValueError("hold and release times must be ≥ 0 seconds")
        if onset_hops < 0:
            raise ValueError(f"onset_hops must be ≥ 0, got {onset_hops}")
        self.onset_hops = int(onset_hops)
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
        self._onset: float | None = None  # the attack the post-onset hops belong to
        self._after_onset: list[frozenset[int]] = []  # its newest detections, oldest first

    @property
    def stable(self) -> Detection | None:
        return self._stable

    def _stable_key(self) -> tuple[int, ...]:
        return self._stable.pitch_classes if self._stable is not None else ()

    def _confirmed_after_onset(self, key: tuple[int, ...], onset: float | None) -> bool:
        """Record a post-onset detection; True when the fast path confirms `key`."""
        if onset is None or self.onset_hops <= 0:
            self._onset, self._after_onset = None, []
            return False
        if self._onset is None or abs(onset - self._onset) > self.ONSET_TOLERANCE:
            self._onset, self._after_onset = onset, []
        recent = self._after_onset
        recent.append(frozenset(key))
        del recent[: -(self.onset_hops + 2)]
        if not key or len(recent) < self.onset_hops:
            return False
        newest = recent[-1]
        return all(newest <= r and len(r) <= self.MAX_ONSET_NOTES for r in recent)

    def update(
        self, detection: Detection, t: float, onset: float | None = None
    ) -> tuple[Detection | None, bool]:
        """Feed one hop's detection at stream time t (s, non-decreasing); `onset`: stream time
        of the attack when only the audio since it was analysed (enables the fast path).

        Returns (stable detection or None for "no chord", whether it changed on this hop).
        """
        key = tuple(detection.pitch_classes)
        confirmed = self._confirmed_after_onset(key, onset)
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
        if confirmed or t - self._since + 1e-9 >= hold:
            self._stable = detection if key else None
            self._candidate = None
            return self._stable, True
        return self._stable, False
