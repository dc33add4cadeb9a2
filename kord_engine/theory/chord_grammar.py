"""kord's chord-symbol grammar (chord.pest) as a hand-written PEG parser with positioned errors.

ROOT [QUALITY] [SEVENTH] {"("* MODIFIER ")"*} ["/" NOTE] ["@" DIGIT] ["^" DIGIT] ["!"]

Like pest, every choice is ordered and never backtracks: the root takes up to two accidentals
first, so `Cb5` is C♭ followed by a stray 5 (an error) and `Cb9` is C♭9.  Spaces are allowed
between tokens.  Beyond kord: `(maj7)` in the seventh slot, so kord's own names `Cm(maj7)` and
`C+(maj7)` parse back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kord_engine.errors import ParseError
from kord_engine.theory.pitch import read_pitch

QUALITIES = (
    ("maj7", "major7"),
    ("m", "minor"),
    ("-", "minor"),
    ("+", "augmented"),
    ("o", "diminished"),
    ("dim", "diminished"),
    ("ø", "half_diminished"),
)
SEVENTHS = (("maj7", "major7"), ("13", 13), ("11", 11), ("7", 7), ("9", 9))
MODIFIERS = (
    ("sus2", "sus2"),
    ("sus4", "sus4"),
    ("add2", "add2"),
    ("add4", "add4"),
    ("add6", "add6"),
    ("add9", "add9"),
    ("add11", "add11"),
    ("add13", "add13"),
    ("6", "add6"),
    ("b5", "flat5"),
    ("♭5", "flat5"),
    ("#5", "augmented"),
    ("♯5", "augmented"),
    ("b9", "flat9"),
    ("♭9", "flat9"),
    ("#9", "sharp9"),
    ("♯9", "sharp9"),
    ("b11", "flat11"),
    ("♭11", "flat11"),
    ("#11", "sharp11"),
    ("♯11", "sharp11"),
    ("b13", "flat13"),
    ("♭13", "flat13"),
    ("#13", "sharp13"),
    ("♯13", "sharp13"),
)

_EXPECT_AFTER = {
    "root": "a quality (m - + o dim ø), maj7, 7/9/11/13, a modifier (b9, #11, sus4, add9, …), "
    "'/', '@', '^', '!' or the end",
    "quality": "maj7, 7/9/11/13, a modifier (b9, #11, sus4, add9, …), '/', '@', '^', '!' or the end",
    "seventh": "a modifier (b5, b9, #11, sus4, add9, …), '/', '@', '^', '!' or the end",
    "modifier": "a modifier (b5, b9, #11, sus4, add9, …), '/', '@', '^', '!' or the end",
    "slash": "'@', '^', '!' or the end",
    "octave": "'^', '!' or the end",
    "inversion": "'!' or the end",
    "bang": "the end",
}
MAX_SYMBOL_LENGTH = 200


@dataclass
class ChordSymbol:
    """What a chord symbol says, in the order it says it (applied by Chord.parse)."""

    root: int
    operations: list[tuple[str, object]] = field(default_factory=list)
    slash: int | None = None
    octave: int | None = None
    inversion: int | None = None
    crunchy: bool = False


class _Cursor:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def choice(self, options) -> object | None:
        for literal, value in options:
            if self.take(literal):
                return value
        return None

    def digit(self, what: str) -> int:
        if self.pos < len(self.text) and self.text[self.pos] in "0123456789":
            self.pos += 1
            return int(self.text[self.pos - 1])
        raise ParseError(f"expected a digit 0-9 after {what}", self.text, self.pos)

    def fail(self, stage: str) -> ParseError:
        found = self.text[self.pos]
        return ParseError(
            f"chord symbol: did not understand {found!r}; expected {_EXPECT_AFTER[stage]}",
            self.text,
            self.pos,
        )


def parse_chord_symbol(text: str) -> ChordSymbol:
    """Parse kord chord notation into a ChordSymbol; ParseError (with position) otherwise."""
    if not isinstance(text, str):
        raise ParseError(f"a chord symbol must be text, not {type(text).__name__}")
    if len(text) > MAX_SYMBOL_LENGTH:
        raise ParseError(
            f"chord symbol is too long ({len(text)} characters)", text, MAX_SYMBOL_LENGTH
        )
    cur = _Cursor(text)
    cur.skip_spaces()
    if cur.pos >= len(text):
        raise ParseError("empty chord symbol: expected a root letter A-G", text, cur.pos)
    root, cur.pos = read_pitch(text, cur.pos, "chord root")
    symbol = ChordSymbol(root)
    ops = symbol.operations
    stage = "root"

    cur.skip_spaces()
    quality = cur.choice(QUALITIES)
    if quality is not None:
        ops.append((quality, None))
        stage = "quality"
        cur.skip_spaces()

    start = cur.pos
    seventh = cur.choice(SEVENTHS)
    if seventh is None and cur.take("("):
        cur.skip_spaces()
        if cur.take("maj7"):
            cur.skip_spaces()
            if cur.take(")"):
                seventh = "major7"
        if seventh is None:
            cur.pos = start  # not "(maj7)": read it again as a modifier group
    if seventh is not None:
        ops.append(("major7", None) if seventh == "major7" else ("dominant", seventh))
        stage = "seventh"

    while True:
        cur.skip_spaces()
        opened = cur.pos
        while cur.take("("):
            cur.skip_spaces()
        modifier = cur.choice(MODIFIERS)
        if modifier is None:
            if cur.pos != opened:
                raise (
                    cur.fail("modifier")
                    if cur.pos < len(text)
                    else ParseError(
                        "chord symbol ends inside '(': expected a modifier", text, cur.pos
                    )
                )
            break
        ops.append((modifier, None))
        stage = "modifier"
        cur.skip_spaces()
        while cur.take(")"):
            cur.skip_spaces()

    cur.skip_spaces()
    if cur.take("/"):
        cur.skip_spaces()
        symbol.slash, cur.pos = read_pitch(text, cur.pos, "slash bass")
        stage = "slash"
        cur.skip_spaces()
    if cur.take("@"):
        symbol.octave = cur.digit("'@'")
        stage = "octave"
        cur.skip_spaces()
    if cur.take("^"):
        symbol.inversion = cur.digit("'^'")
        stage = "inversion"
        cur.skip_spaces()
    if cur.take("!"):
        symbol.crunchy = True
        stage = "bang"
        cur.skip_spaces()
    if cur.pos < len(text):
        raise cur.fail(stage)
    return symbol
