"""Turn a jittery stream of per-hop detections into stable chord labels a musician can trust.

A label is a pitch-class set AND its bass: C E G over E (C/E) is another label than over C.
Right after an attack or a change heard in the spectrum (the `onset` of update: the analyser
then hears only the audio since it), the first resolvable detection is shown at once as a
*provisional* label; while it is young (refine_seconds) it is refined in place — the bass and
extensions the longer audio resolves replace it without starting a new entry — then it is
confirmed. Everywhere else a new label must persist for a hold time (hysteresis), so the
label never flickers.
"""

from __future__ import annotations

from kord_engine.audio.listen.detection import Detection

Key = tuple  # () for "no chord", else (pitch classes, bass)

#: silence this long clears a chord (live: AnalyzerConfig.release_seconds; files: the
#: timeline holds each chord this far into the silence after it): a struck chord that fades
#: (a marimba, a short piano note) is still the chord a musician reads until the next one
RELEASE_SECONDS = 0.5


def label_key(detection: Detection | None) -> Key:
    """What tells two labels apart: the pitch classes and the bass (() for no chord)."""
    if detection is None or not detection.pitch_classes:
        return ()
    return (tuple(detection.pitch_classes), detection.bass)


class ChordSmoother:
    """Hysteresis on labels (pitch-class set + bass), with provisional labels after onsets.

    hold_seconds: how long a new label must be seen, uninterrupted, before it replaces the
        current one (outside an onset's refine time).
    release_seconds: how long silence (an empty detection) must last before the label
        clears to "no chord" (defaults to hold_seconds).
    superset_hold_seconds: how long a set that contains the whole current set plus more
        notes must last (defaults to hold_seconds). While a sustained chord changes without
        a detected onset, the analysis window holds both chords and the detector hears their
        union; a hold as long as the window keeps that mixture from ever becoming a label.
    subset_hold_seconds: how long a set that lost notes of the current one must last to
        replace it outside an onset's hops (default: hold_seconds). The live analyzer holds a
        DECAYING sound's label longer: the notes of a plucked or struck chord fade at
        different rates and it is still the chord (a sustained sound's lost notes are the
        previous chord's release dying away, and go at the hold time).
    bass_hold_seconds: how long the same set over another bass must last to replace the
        label outside an onset's refine time (defaults to max(hold, 0.3 s): the bass is the
        note a detector is least sure of, and a relabel is a new history entry).
    onset_hops: post-onset detections of one new label, in a row, that show it as a
        provisional label (0: no fast path, only the hold counts). A detection of more than
        MAX_ONSET_NOTES pitch classes is a cloud, not a chord, and never shown fast.
    refine_seconds: how long a provisional label stays provisional; meanwhile a different
        label of the same onset's hops replaces it in place (`refined`) — the first time on
        one hop (the first label came from the shortest audio), afterwards when two of the
        last three hops, AGREE_SECONDS apart, agree — then it is confirmed (0: labels are
        never provisional).
    refine_hops: 1 lets that first refinement take one hop; 2 always asks for agreement.

    After update(), `provisional` says whether the label is provisional and `refined`
    whether this hop's change updated the current entry in place (a refinement or the
    confirmation) rather than starting a new one.
    """

    #: attacks found within this many seconds of each other are the same attack
    ONSET_TOLERANCE = 0.03
    #: post-onset detections with more pitch classes than this are a cloud, not a chord
    MAX_ONSET_NOTES = 6
    #: two hops agreeing on a change must be at least this far apart
    AGREE_SECONDS = 0.05
    #: this soon after a label was first shown, its onset's hops may still correct it in place
    #: (the same history entry) even once it is confirmed
    CORRECT_SECONDS = 0.6

    def __init__(
        self,
        hold_seconds: float = 0.15,
        release_seconds: float | None = None,
        superset_hold_seconds: float | None = None,
        onset_hops: int = 1,
        refine_seconds: float = 0.3,
        bass_hold_seconds: float | None = None,
        refine_hops: int = 1,
        subset_hold_seconds: float | None = None,
    ):
        for value in (
            hold_seconds,
            release_seconds,
            superset_hold_seconds,
            refine_seconds,
            bass_hold_seconds,
            subset_hold_seconds,
        ):
            if value is not None and value < 0:
                raise ValueError("hold, release and refine times must be ≥ 0 seconds")
        if onset_hops < 0:
            raise ValueError(f"onset_hops must be ≥ 0, got {onset_hops}")
        self.onset_hops = int(onset_hops)
        self.hold_seconds = float(hold_seconds)
        self.release_seconds = float(hold_seconds if release_seconds is None else release_seconds)
        self.superset_hold_seconds = float(
            hold_seconds if superset_hold_seconds is None else superset_hold_seconds
        )
        self.bass_hold_seconds = float(
            max(hold_seconds, 0.3) if bass_hold_seconds is None else bass_hold_seconds
        )
        self.subset_hold_seconds = float(
            hold_seconds if subset_hold_seconds is None else subset_hold_seconds
        )
        self.refine_seconds = float(refine_seconds)
        self.refine_hops = int(refine_hops)
        self.reset()

    def reset(self) -> None:
        """Back to "no chord", nothing pending."""
        self._stable: Detection | None = None
        self.provisional = False
        self.refined = False
        self._entry_since = 0.0  # when the current label was first shown
        self._candidate: Key | None = None
        self._since = 0.0
        self._onset: float | None = None  # the attack the post-onset hops belong to
        self._after_onset: list[tuple[float, Key]] = []  # its hops' (time, label), oldest first
        self._onset_entry = False  # the current label was shown by this onset's hops
        self._support = 0  # hops in a row whose detection is the current label
        self._refinements = 0  # in-place refinements of the current label

    @property
    def stable(self) -> Detection | None:
        return self._stable

    def rename(self, detection: Detection) -> None:
        """Replace the shown label by the same label (same pitch classes and bass) with
        more filled in (its chord names), leaving every state as it is."""
        if self._stable is not None and label_key(detection) == label_key(self._stable):
            self._stable = detection

    def _show(self, detection: Detection | None, t: float, provisional: bool) -> None:
        self._stable = detection if label_key(detection) else None
        self.provisional = provisional and self._stable is not None
        self._entry_since = t
        self._support = 1
        self._refinements = 0
        self._candidate = None

    def _track_onset(self, key: Key, t: float, onset: float | None, hops: int) -> bool:
        """Record a post-onset detection; True while the hop belongs to an onset."""
        if onset is None or hops <= 0:
            self._onset, self._after_onset, self._onset_entry = None, [], False
            return False
        if self._onset is None or abs(onset - self._onset) > self.ONSET_TOLERANCE:
            self._onset, self._after_onset, self._onset_entry = onset, [], False
        self._after_onset.append((t, key))
        del self._after_onset[:-8]
        return True

    def _agreed(self, key: Key, t: float) -> bool:
        """`key` in two of the onset's last three hops, AGREE_SECONDS apart at least (hops
        come fast after an onset: two in 25 ms are one misreading of one stretch of audio)."""
        seen = [u for u, k in self._after_onset[-3:] if k == key]
        return len(seen) >= 2 and t - seen[0] + 1e-9 >= self.AGREE_SECONDS

    def update(
        self, detection: Detection, t: float, onset: float | None = None, hops: int | None = None
    ) -> tuple[Detection | None, bool]:
        """Feed one hop's detection at stream time t (s, non-decreasing); `onset`: stream time
        of the attack (or spectral change) when only the audio since it was analysed;
        `hops`: onset_hops for this onset (e.g. more for a less certain change).

        Returns (label or None for "no chord", whether it or its provisional state changed).
        """
        self.refined = False
        key = label_key(detection)
        hops = self.onset_hops if hops is None else int(hops)
        after_onset = self._track_onset(key, t, onset, hops)
        stable_key = label_key(self._stable)
        due = self.provisional and t - self._entry_since + 1e-9 >= self.refine_seconds
        plausible = bool(key) and len(key[0]) <= self.MAX_ONSET_NOTES
        if after_onset and plausible and key != stable_key:
            # one hop refines the first, short-audio label once (its extra notes drop out, its
            # bass is resolved); after that a change needs two of the last three hops — a
            # detector's one-hop misreading must not become the label — and so does losing
            # notes two hops agreed on (a note does not stop within a hop)
            losing = bool(stable_key) and set(key[0]) < set(stable_key[0]) and self._support > 1
            first = self._refinements == 0
            quick = self.provisional and self.refine_hops <= 1 and first and not losing
            # a confirmed label of a dying sound keeps its fading notes (subset_hold_seconds)
            fading = (
                losing and not self.provisional and self.subset_hold_seconds > self.hold_seconds
            )
            if self._onset_entry and not fading and (quick or self._agreed(key, t)):
                # what the onset's own hops correct just after the label was confirmed is
                # still that label's entry: one attack, one entry (C E A over C, then over A,
                # is one Am; so is C E G A B, then C E A)
                young = t - self._entry_since < self.CORRECT_SECONDS
                if self.provisional or young:  # in place: the same entry, a better label
                    self._stable = detection
                    self._candidate = None
                    self._support = 1
                    self._refinements += 1
                    self.refined = True
                    self.provisional = self.provisional and not due  # …confirmed, if it is time
                else:
                    self._show(detection, t, False)
                return self._stable, True
            recent = [k for _, k in self._after_onset]
            if (
                not self._onset_entry
                and len(recent) >= hops
                and all(k == key for k in recent[-hops:])
            ):
                self._show(detection, t, self.refine_seconds > 0)
                self._onset_entry = True
                return self._stable, True
        confirmed = False
        if due:
            self.provisional, confirmed = False, True
        if confirmed:
            self.refined = True
            self._candidate = None
            return self._stable, True
        if key == stable_key:
            self._candidate = None
            self._support += 1
            return self._stable, False
        if self._onset_entry and after_onset and key:
            return self._stable, False  # an onset's label is changed by its own hops only
        if key != self._candidate:
            self._candidate = key
            self._since = t
        if not key:
            hold = self.release_seconds
        elif stable_key and set(stable_key[0]) < set(key[0]):
            hold = max(self.hold_seconds, self.superset_hold_seconds)
        elif stable_key and stable_key[0] == key[0]:
            hold = self.bass_hold_seconds
        elif stable_key and set(key[0]) < set(stable_key[0]):
            hold = max(self.hold_seconds, self.subset_hold_seconds)
        else:
            hold = self.hold_seconds
        # a tiny epsilon so hop times like 0.1 + 0.05 count as a full 0.15 s
        if t - self._since + 1e-9 >= hold:
            self._show(detection, t, False)
            self._onset_entry = after_onset
            return self._stable, True
        return self._stable, False
