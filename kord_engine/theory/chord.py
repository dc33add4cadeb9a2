"""Chord: kord's chord model (root, slash, modifier and extension sets, inversion, crunchy).

Immutable: every builder method returns a new Chord, so `Chord("C").minor().seven()` reads
like the symbol.  Rendering (name/precise_name), tones, scale and the verbose "describe"
block follow kord (core spec §4-§9), with kord's bugs fixed where they were bugs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kord_engine.errors import ParseError
from kord_engine.theory.chord_grammar import ChordSymbol, parse_chord_symbol
from kord_engine.theory.errors import TheoryError
from kord_engine.theory.known_chord import (
    KnownChord,
    ScaleCandidate,
    dominant_degree,
    resolve_known_chord,
)
from kord_engine.theory.modifiers import (
    ALL_EXTENSIONS,
    DOMINANT_IMPLIED,
    DOMINANTS,
    MODIFIER_SUFFIXES,
    Extension,
    Modifier,
)
from kord_engine.theory.note import DEFAULT_OCTAVE, Note, check_octave
from kord_engine.theory.pitch import ascii_name
from kord_engine.theory.tones import chord_shape, place_slash, tone_note

MAX_INVERSION = 15


def _as_note(value: str | Note, what: str) -> Note:
    if isinstance(value, Note):
        return value
    if isinstance(value, str):
        return Note.parse(value)
    raise TypeError(f"{what} must be a Note or note text, not {type(value).__name__}")


class Chord:
    """A chord, e.g. `Chord.parse("Cm7b5")` or `Chord("C").minor().seven().flat5()`."""

    __slots__ = ("root", "slash", "modifiers", "extensions", "inversion", "crunchy", "_notes")

    def __init__(
        self,
        root: str | Note,
        *,
        slash: str | Note | None = None,
        modifiers: Iterable[Modifier] = (),
        extensions: Iterable[Extension] = (),
        inversion: int = 0,
        crunchy: bool = False,
    ):
        mods: set[Modifier] = set()
        for modifier in modifiers:
            add_modifier(mods, modifier)
        if not 0 <= int(inversion) <= MAX_INVERSION:
            raise TheoryError(f"inversion {inversion} is outside 0..{MAX_INVERSION}")
        self.root = _as_note(root, "root")
        self.slash = None if slash is None else _as_note(slash, "slash")
        self.modifiers = frozenset(mods)
        self.extensions = frozenset(extensions)
        self.inversion = int(inversion)
        self.crunchy = bool(crunchy)
        self._notes: tuple[Note, ...] | None = None

    # ---- parsing ------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Chord:
        """kord chord notation (`Cm7b5`, `C7(#9)/E@3^1!`); ParseError says what and where."""
        symbol = parse_chord_symbol(text)
        chord = cls.from_symbol(symbol)
        try:
            chord.notes()
        except TheoryError as exc:
            raise ParseError(f"chord symbol {text!r} has tones out of range: {exc}") from None
        return chord

    @classmethod
    def from_symbol(cls, symbol: ChordSymbol) -> Chord:
        chord = cls(Note(symbol.root, DEFAULT_OCTAVE))
        for op, arg in symbol.operations:
            chord = chord.dominant(arg) if op == "dominant" else getattr(chord, op)()
        if symbol.slash is not None:
            chord = chord.with_slash(Note(symbol.slash, DEFAULT_OCTAVE))
        if symbol.octave is not None:
            chord = chord.with_octave(symbol.octave)
        if symbol.inversion is not None:
            chord = chord.with_inversion(symbol.inversion)
        return chord.with_crunchy(symbol.crunchy)

    # ---- builder ------------------------------------------------------------------------
    def _replace(self, **changes: Any) -> Chord:
        """A copy with some fields changed (already-valid values; no re-validation)."""
        chord = object.__new__(Chord)
        for slot in ("root", "slash", "modifiers", "extensions", "inversion", "crunchy"):
            setattr(chord, slot, changes.get(slot, getattr(self, slot)))
        chord._notes = None
        return chord

    def with_modifier(self, modifier: Modifier) -> Chord:
        mods = set(self.modifiers)
        add_modifier(mods, modifier)
        return self._replace(modifiers=frozenset(mods))

    def with_extension(self, extension: Extension) -> Chord:
        if not isinstance(extension, Extension):
            raise TypeError(f"not an Extension: {extension!r}")
        return self._replace(extensions=self.extensions | {extension})

    def minor(self) -> Chord:
        return self.with_modifier(Modifier.Minor)

    def flat5(self) -> Chord:
        return self.with_modifier(Modifier.Flat5)

    def augmented(self) -> Chord:
        return self.with_modifier(Modifier.Augmented5)

    aug = augmented

    def major7(self) -> Chord:
        return self.with_modifier(Modifier.Major7)

    maj7 = major7

    def dominant(self, degree: int) -> Chord:
        return self.with_modifier(Modifier.dominant(int(degree)))

    def seven(self) -> Chord:
        return self.dominant(7)

    def nine(self) -> Chord:
        return self.dominant(9)

    def eleven(self) -> Chord:
        return self.dominant(11)

    def thirteen(self) -> Chord:
        return self.dominant(13)

    def flat9(self) -> Chord:
        return self.with_modifier(Modifier.Flat9)

    def sharp9(self) -> Chord:
        return self.with_modifier(Modifier.Sharp9)

    def sharp11(self) -> Chord:
        return self.with_modifier(Modifier.Sharp11)

    def flat13(self) -> Chord:
        return self.with_modifier(Modifier.Flat13)

    def diminished(self) -> Chord:
        return self.with_modifier(Modifier.Diminished)

    dim = diminished

    def half_diminished(self) -> Chord:
        return self.minor().seven().flat5()

    half_dim = half_diminished

    def sus2(self) -> Chord:
        return self.with_extension(Extension.Sus2)

    def sus4(self) -> Chord:
        return self.with_extension(Extension.Sus4)

    sus = sustain = sus4

    def flat11(self) -> Chord:
        return self.with_extension(Extension.Flat11)

    def sharp13(self) -> Chord:
        return self.with_extension(Extension.Sharp13)

    def add2(self) -> Chord:
        return self.with_extension(Extension.Add2)

    def add4(self) -> Chord:
        return self.with_extension(Extension.Add4)

    def add6(self) -> Chord:
        return self.with_extension(Extension.Add6)

    def add9(self) -> Chord:
        return self.with_extension(Extension.Add9)

    def add11(self) -> Chord:
        return self.with_extension(Extension.Add11)

    def add13(self) -> Chord:
        return self.with_extension(Extension.Add13)

    # kord's Rust spellings of the same builders
    flat_five = flat5
    flat_nine = flat9
    sharp_nine = sharp9
    sharp_eleven = sharp11
    flat_eleven = flat11
    flat_thirteen = flat13
    sharp_thirteen = sharp13
    sus_two = sus2
    sus_four = sus4
    add_two = add2
    add_four = add4
    add_six = add6
    add_nine = add9
    add_eleven = add11
    add_thirteen = add13

    def with_slash(self, slash: str | Note | None) -> Chord:
        return self._replace(slash=None if slash is None else _as_note(slash, "slash"))

    def with_octave(self, octave: int) -> Chord:
        return self._replace(root=self.root.with_octave(check_octave(int(octave))))

    def with_inversion(self, inversion: int) -> Chord:
        if not 0 <= int(inversion) <= MAX_INVERSION:
            raise TheoryError(f"inversion {inversion} is outside 0..{MAX_INVERSION}")
        return self._replace(inversion=int(inversion))

    def with_crunchy(self, crunchy: bool = True) -> Chord:
        return self._replace(crunchy=bool(crunchy))

    # ---- quality and names --------------------------------------------------------------
    @property
    def known_chord(self) -> KnownChord:
        return resolve_known_chord(self.modifiers)

    @property
    def description(self) -> str:
        return self.known_chord.description

    @property
    def dominant_degree(self) -> int | None:
        return dominant_degree(self.modifiers)

    @property
    def name(self) -> str:
        """kord's chord name: root, quality suffix, modifiers, extensions, slash (no octave)."""
        known = self.known_chord
        suffix = known.suffix
        parts = [self.root.pitch_name, suffix]
        for modifier, text in MODIFIER_SUFFIXES:
            if modifier not in self.modifiers or text in suffix:
                continue
            if modifier is Modifier.Augmented5 and "+" in suffix:
                continue
            parts.append(text)
        extensions = set(self.extensions)
        degree = self.dominant_degree
        if degree is not None and not known.kind.has_degree:
            # kord prints Cmaj9-ish chords ("maj7" + dominant 9) as "Cmaj7" and Cdim9 as
            # "Cdim", hiding the 9th; spell what the degree adds so the name parses back.
            extensions.update(DOMINANT_IMPLIED[degree])
        parts.extend(f"({e.value})" for e in ALL_EXTENSIONS if e in extensions)
        if self.slash is not None:
            parts.append("/" + self.slash.pitch_name)
        return "".join(parts)

    @property
    def precise_name(self) -> str:
        """name + `@octave` (if not 4) + `^inversion` (if not 0) + `!` (if crunchy)."""
        text = self.name
        if self.root.octave != DEFAULT_OCTAVE:
            text += f"@{self.root.octave}"
        if self.inversion:
            text += f"^{self.inversion}"
        if self.crunchy:
            text += "!"
        return text

    @property
    def name_ascii(self) -> str:
        return ascii_name(self.precise_name)

    # ---- tones and scales ---------------------------------------------------------------
    def notes(self) -> list[Note]:
        """Chord tones, lowest first (kord's chord(): inversions, crunchy, slash bass)."""
        if self._notes is None:
            shape = chord_shape(self.modifiers, self.extensions, self.inversion, self.crunchy)
            notes = [tone_note(self.root, tone) for tone in shape]
            if self.slash is not None:
                notes.insert(0, place_slash(self.slash, notes[0]))
                if notes[0].frequency >= notes[1].frequency:
                    # octave 0 kept the slash from going below a chord that low: kord's
                    # recipe sorts by pitch and drops a repeat (the slash is then not the bass)
                    notes.sort(key=lambda n: n.frequency)
                    notes = [n for i, n in enumerate(notes) if i == 0 or n != notes[i - 1]]
            self._notes = tuple(notes)
        return list(self._notes)

    chord = notes

    def pitch_classes(self) -> list[int]:
        """Distinct pitch classes of the tones, ascending (C = 0)."""
        return sorted({n.pitch_class for n in self.notes()})

    @property
    def bass(self) -> Note:
        return self.notes()[0]

    def scale_candidates(self) -> list[ScaleCandidate]:
        return list(self.known_chord.scale_candidates)

    def candidate_notes(self, candidate: ScaleCandidate) -> list[Note]:
        """A candidate scale/mode spelled from the chord root (root octave kept)."""
        return [self.root + iv for iv in candidate.intervals]

    def scale(self) -> list[Note]:
        """The rank-1 candidate scale/mode rooted at the chord root."""
        return self.candidate_notes(self.known_chord.scale_candidates[0])

    # ---- text and JSON ------------------------------------------------------------------
    def display(self) -> str:
        """kord's Display: precise name, description, scale, chord tones (4 lines)."""
        return "\n".join(
            (
                self.precise_name,
                f"   {self.description}",
                "   " + ", ".join(n.pitch_name for n in self.scale()),
                "   " + ", ".join(n.pitch_name for n in self.notes()),
            )
        )

    def format_verbose(self) -> str:
        """kord's describe block (format_with_scale_candidates); ends with a newline."""
        lines = [self.display(), "", "   Recommended scales/modes:"]
        for candidate in self.scale_candidates():
            notes = ", ".join(n.pitch_name for n in self.candidate_notes(candidate))
            lines.append(f"     {candidate.rank}. {candidate.name} - {candidate.reason} ({notes})")
            lines.append(f"        {candidate.description}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Stable JSON: names, tones (with octaves), pitch classes, bass, scale, candidates."""
        notes = self.notes()
        return {
            "name": self.name,
            "precise_name": self.precise_name,
            "description": self.description,
            "notes": [n.name for n in notes],
            "pitch_classes": self.pitch_classes(),
            "bass": notes[0].pitch_class,
            "scale": [n.name for n in self.scale()],
            "recommended": [
                {
                    "rank": c.rank,
                    "name": c.name,
                    "kind": c.type_name,
                    "reason": c.reason,
                    "notes": [n.name for n in self.candidate_notes(c)],
                    "description": c.description,
                }
                for c in self.scale_candidates()
            ],
        }

    # ---- identity -----------------------------------------------------------------------
    def _key(self) -> tuple:
        return (
            self.root,
            self.slash,
            self.modifiers,
            self.extensions,
            self.inversion,
            self.crunchy,
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, Chord):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.precise_name

    def __repr__(self) -> str:
        return f"Chord({self.precise_name!r})"


def add_modifier(mods: set[Modifier], modifier: Modifier) -> None:
    """kord's interactions: ♯5 drops ♭5 and dim; ♭5/dim are ignored on a ♯5 chord.

    A chord has one dominant degree: adding another keeps the higher (its tones include the
    lower's), where kord keeps both and picks one at random when naming (`Cø9`).
    """
    if not isinstance(modifier, Modifier):
        raise TypeError(f"not a Modifier: {modifier!r}")
    if modifier is Modifier.Augmented5:
        mods.discard(Modifier.Flat5)
        mods.discard(Modifier.Diminished)
    elif modifier in (Modifier.Flat5, Modifier.Diminished) and Modifier.Augmented5 in mods:
        return
    if modifier.degree is not None:
        current = dominant_degree(mods)
        if current is not None:
            if current >= modifier.degree:
                return
            mods.discard(DOMINANTS[current])
    mods.add(modifier)
