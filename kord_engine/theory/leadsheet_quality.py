"""Lead-sheet chord qualities: read a set of intervals above a root as a chord symbol suffix.

`read_quality(mask)` takes the 12-bit set of semitones above a candidate root (bit 0, the
root, always set) and returns the `Quality` a musician would write over that root: its suffix
("", "m7", "7♭9", "maj9", "m(add9)", ...), a cost (lower = more common, more complete), the
degree each interval is spelled as (so the chord can be spelled from its root), and which
intervals are chord tones rather than tensions (a tension in the bass costs more).

The reading is built from music theory, in this order:

1. the third: a major third (4) if present, else a minor third (3); with neither, a fourth
   (5) makes the chord sus4, else a second (2) makes it sus2, else it has no third;
2. the fifth: a perfect fifth (7); without one, ♭5 (6) on a minor third (diminished), ♯5 (8)
   on a major third (augmented), else ♭5 on a major third; with no fifth at all it is simply
   omitted (lead sheets never write "no5");
3. the seventh: ♭7 (10), else the major seventh (11); on a diminished triad a major sixth (9)
   is the diminished seventh (𝄫7);
4. what is left are tensions: ♭9, 9, ♯9 (a minor third over a major one), 11, ♯11, ♭13, 13
   (the sixth of a chord without a seventh).

Symbols (one per chord, the issue's list): C Cm C° C+ Csus2 Csus4 C5, C6 Cm6 C6/9 Cm6/9,
Cadd9 Cm(add9) Cadd11, C7 C9 C11 C13 with alterations appended in ascending order of their
degree (C7♭5, C7♯5, C7♭9, C7♯9, C7♯11, C7♭13, C13♭9, C9♯11), C7alt (a dominant seventh with
two or more altered tones, no perfect fifth and no natural tension), C7sus4, C13sus4, Cmaj7
Cmaj9 Cmaj13 Cmaj7♯11 Cmaj7♯5, Cm7 Cm9 Cm11 Cm13, Cm(maj7) Cm(maj9), Cø7 (the half-diminished
seventh, "Cm7♭5" in other books) Cø9, C°7.  A dominant 11th is "C11" whether or not the third
sounds (C G B♭ D F is C11, not C9sus4); 13ths imply the 9th and 11ths the 9th, so C E B♭ A is
C13.  Anything else is named by the same rules with its extra tones in parentheses, at a
cost high enough that a common chord over another root wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Quality", "read_quality"]

#: (cost, degree number used for spelling, symbol) of each interval when it is a tension.
#: Degree numbers are scale steps above the root (2 = the 9th's letter, 4 = the 11th's ...).
_TENSION_SYMBOL = {1: "♭9", 2: "9", 3: "♯9", 5: "11", 6: "♯11", 8: "♭13", 9: "13", 11: "maj7"}
_TENSION_DEGREE = {1: 2, 2: 2, 3: 2, 5: 4, 6: 4, 8: 6, 9: 6, 11: 7}
#: order of altered tones in a symbol: by degree (5ths, then 9ths, 11ths, 13ths)
_ALTERATION_ORDER = ("♭5", "♯5", "♭9", "♯9", "♯11", "♭13")

# ---- costs (lower = what a musician would write first) ---------------------------------------
#: bass ≠ root: a chord tone in the bass (an inversion), a tension in the bass, a foreign bass
INVERSION_COST = 1.0
TENSION_BASS_COST = 1.6
FOREIGN_BASS_COST = 2.0

_OMIT_FIFTH_TRIAD = 0.8  # C E, C E C: still "C", but a third-only dyad is weaker evidence
_OMIT_FIFTH_SEVENTH = 0.3  # shell voicings (1 3 7) are everyday
_OMIT_FIFTH_SUS = 1.0  # a sus chord without its fifth is a stack of fourths: ambiguous
_OMIT_FIFTH_SIXTH = 1.4  # C E A is Am/C, C E♭ A is A°/C: a sixth chord needs its fifth

_WEIRD = 2.5  # a combination no lead sheet writes (sus with ♯5, minor with ♯9, ...)


@dataclass(frozen=True)
class Quality:
    """How a set of intervals above a root reads as a chord symbol."""

    suffix: str
    #: lower is more common / more complete; compare across roots (bass terms are added later)
    cost: float
    #: (semitones above the root, degree number 1..7) for every interval, ascending
    degrees: tuple[tuple[int, int], ...]
    #: intervals that are chord tones (root, third or sus tone, fifth, sixth or seventh)
    chord_tones: frozenset[int]
    description: str
    #: a plain triad or seventh chord: may stand over a foreign bass ("F/G")
    simple: bool = False

    def degree_of(self, interval: int) -> int:
        for semis, degree in self.degrees:
            if semis == interval:
                return degree
        raise KeyError(interval)


def _mask_set(mask: int) -> frozenset[int]:
    return frozenset(i for i in range(12) if (mask >> i) & 1)


@lru_cache(maxsize=4096)
def read_quality(mask: int) -> Quality:
    """The lead-sheet reading of the interval set `mask` (bit i = i semitones above the root)."""
    return _read(_mask_set(mask | 1))


def _read(s: frozenset[int]) -> Quality:  # noqa: C901 - one decision list, read top to bottom
    rest = set(s) - {0}
    degree: dict[int, int] = {0: 1}
    tones = {0}

    def take(interval: int, number: int) -> None:
        rest.discard(interval)
        degree[interval] = number
        tones.add(interval)

    third = 4 if 4 in s else 3 if 3 in s else None
    sus = None
    if third is not None:
        take(third, 3)
    elif 5 in s:
        sus = 4
        take(5, 4)
    elif 2 in s:
        sus = 2
        take(2, 2)

    fifth = None  # "p", "b", "#"
    if 7 in s:
        fifth = "p"
        take(7, 5)
    elif third == 3 and 6 in s:
        fifth = "b"
        take(6, 5)
    elif third == 4 and 8 in s:
        fifth = "#"
        take(8, 5)
    elif 6 in s:
        fifth = "b"
        take(6, 5)
    elif third is None and 8 in s:
        fifth = "#"
        take(8, 5)

    seventh = None  # "b7", "M7", "d7"
    if 10 in s:
        seventh = "b7"
        take(10, 7)
    elif 11 in s:
        seventh = "M7"
        take(11, 7)
    elif third == 3 and fifth == "b" and 9 in s:
        seventh = "d7"
        take(9, 7)

    sixth = seventh is None and 9 in rest and fifth in ("p", None)
    if sixth:
        take(9, 6)

    tensions = sorted(rest)
    for t in tensions:
        degree[t] = _TENSION_DEGREE[t]
    names = [_TENSION_SYMBOL[t] for t in tensions]

    suffix, cost, description, simple = _name(third, sus, fifth, seventh, sixth, names)
    if fifth is None and len(s) > 1:
        if sixth:  # C E A D (no fifth) is an everyday 6/9 voicing
            cost += _OMIT_FIFTH_SEVENTH if 2 in s else _OMIT_FIFTH_SIXTH
        elif sus is not None:
            cost += _OMIT_FIFTH_SUS
        elif seventh is not None:
            cost += _OMIT_FIFTH_SEVENTH
        elif third is not None:
            cost += _OMIT_FIFTH_TRIAD
        simple = simple and seventh is not None
    return Quality(
        suffix=suffix,
        cost=round(cost, 3),
        degrees=tuple(sorted(degree.items())),
        chord_tones=frozenset(tones),
        description=description,
        simple=simple,
    )


def _parens(items: list[str]) -> str:
    return f"({','.join(items)})" if items else ""


def _alterations(fifth: str | None, names: list[str]) -> list[str]:
    alts = [n for n in names if n in ("♭9", "♯9", "♯11", "♭13")]
    if fifth == "b":
        alts.append("♭5")
    elif fifth == "#":
        alts.append("♯5")
    return sorted(alts, key=_ALTERATION_ORDER.index)


_ALT_COST = {"♭5": 1.2, "♯5": 1.0, "♭9": 0.8, "♯9": 0.8, "♯11": 0.8, "♭13": 0.9}


def _extended(names: list[str]) -> tuple[str, float, list[str]]:
    """The highest natural extension (9, 11, 13) and what it costs; the names it absorbed."""
    cost = 0.0
    used = []
    number = "7"
    if "9" in names:
        number, cost = "9", cost + 0.4
        used.append("9")
    if "11" in names:
        number, cost = "11", cost + (0.5 if "9" in names else 0.8)
        used.append("11")
    if "13" in names:
        number, cost = "13", cost + 0.5
        used.append("13")
    return number, cost, used


def _name(third, sus, fifth, seventh, sixth, names):  # noqa: C901
    """(suffix, cost, description, simple) for one reading."""
    others = list(names)

    def weird_rest(exclude: list[str]) -> tuple[list[str], float]:
        left = [n for n in others if n not in exclude]
        return left, _WEIRD * len(left)

    # ---- seventh chords ------------------------------------------------------------------
    if seventh == "b7" and third == 4:
        number, cost, used = _extended(others)
        alts = _alterations(fifth, others)
        left, extra = weird_rest(used + alts)
        cost += 0.8 + extra
        if fifth != "p" and not used and len(alts) >= 2 and not left:
            return "7alt", cost + 1.2, "altered dominant", False
        cost += sum(_ALT_COST[a] for a in alts)
        if number == "11":
            cost += 0.3  # an 11th over a sounding major third is the rarer 11 chord
        text = f"{number}{''.join(alts)}{_parens(left)}"
        what = {"7": "dominant 7th", "9": "dominant 9th", "11": "dominant 11th"}
        description = what.get(number, "dominant 13th")
        if alts:
            description += " with " + ", ".join(alts)
        return text, cost, description, not used and not alts and not left
    if seventh == "b7" and third is None and sus == 4:
        number, cost, used = _extended(others)
        alts = _alterations(fifth, others)
        left, extra = weird_rest(used + alts)
        cost += 1.2 + extra + sum(_ALT_COST[a] + 0.3 for a in alts)
        if number == "9":  # C F G B♭ D: the dominant 11th without its third
            return "11" + "".join(alts) + _parens(left), cost, "dominant 11th", False
        if number == "13":
            text = "13sus4"
        else:
            text = "7sus4"
        return text + "".join(alts) + _parens(left), cost, "dominant 7th, suspended 4th", False
    if seventh == "b7" and third == 3:
        if fifth == "b":
            number, cost, used = _extended(others)
            alts = _alterations(None, others)
            left, extra = weird_rest(used + alts)
            cost += 1.2 + extra + sum(_ALT_COST[a] + 0.6 for a in alts) + 0.3 * len(used)
            text = "ø" + number + "".join(alts) + _parens(left)
            return text, cost, "half-diminished 7th (m7♭5)", not used and not alts and not left
        number, cost, used = _extended(others)
        alts = _alterations(None, others)
        left, extra = weird_rest(used + alts)
        cost += 0.9 + extra + sum(_ALT_COST[a] + (1.2 if a == "♭13" else 0.6) for a in alts)
        if number == "11":  # m11 is an everyday chord; without its 9th a stack of fourths
            cost += -0.1 if "9" in others else 0.6
        what = {"7": "minor 7th", "9": "minor 9th", "11": "minor 11th", "13": "minor 13th"}
        text = "m" + number + "".join(alts) + _parens(left)
        return text, cost, what[number], not used and not alts and not left
    if seventh == "b7":  # sus2 or no third
        number, cost, used = _extended(others)
        alts = _alterations(fifth, others)
        left, extra = weird_rest(used + alts)
        cost += 2.2 + extra + sum(_ALT_COST[a] + 0.5 for a in alts)
        tail = "sus2" if sus == 2 else "(no3)"
        return number + "".join(alts) + tail + _parens(left), cost, "dominant 7th", False
    if seventh == "M7":
        number, cost, used = _extended(others)
        alts = [a for a in _alterations(fifth, others) if a in ("♭5", "♯5", "♯11")]
        left, extra = weird_rest(used + alts)
        if number == "11":
            extra += 1.0  # a natural 11 on a major seventh chord clashes
        if number == "13" and "9" not in used:
            cost += 0.3
        alt_cost = sum({"♯11": 0.7, "♯5": 0.9, "♭5": 1.8}[a] for a in alts)
        if third == 4:
            cost += 1.0 + extra + alt_cost
            text = "maj" + number + "".join(alts) + _parens(left)
            description = "major 7th" if number == "7" else f"major {number}th"
            if alts:
                description += " with " + ", ".join(alts)
            return text, cost, description, number == "7" and not alts and not left
        if third == 3:
            cost += 1.9 + extra + alt_cost + (1.0 if fifth == "b" else 0.0)
            text = "m(maj" + number + "".join(alts) + ")" + _parens(left)
            return text, cost, "minor-major 7th", False
        tail = "sus4" if sus == 4 else "sus2" if sus == 2 else "(no3)"
        cost += 2.6 + extra + alt_cost
        return "maj" + number + "".join(alts) + tail + _parens(left), cost, "major 7th", False
    if seventh == "d7":
        left = list(others)
        cost = 1.3 + 1.6 * len(left)
        return "°7" + _parens(left), cost, "diminished 7th", not left

    # ---- sixth chords and triads -----------------------------------------------------------
    adds = [{"13": "6", "♭13": "♭6"}.get(n, n) for n in others]  # no seventh: sixths
    if sixth:
        nine = "9" in adds
        left = [n for n in adds if n != "9"]
        extra = 1.4 * len(left)
        if third == 4:
            cost = (1.55 if nine else 1.1) + extra
            text = ("6/9" if nine else "6") + _parens(left)
            return text, cost, "major 6th" + (", added 9th" if nine else ""), not nine and not left
        if third == 3:
            cost = (2.0 if nine else 1.4) + extra
            text = ("m6/9" if nine else "m6") + _parens(left)
            return text, cost, "minor 6th" + (", added 9th" if nine else ""), False
        tail = "sus4" if sus == 4 else "sus2" if sus == 2 else "(no3)"
        cost = 2.6 + (0.5 if nine else 0.0) + extra + (1.0 if sus is None else 0.0)
        what = {"sus4": "6th, suspended 4th", "sus2": "6th, suspended 2nd"}.get(tail, "6th")
        return ("6/9" if nine else "6") + tail + _parens(left), cost, what, False

    add_cost = {"9": 0.6, "11": 0.9, "♯11": 1.8, "♭9": 2.0, "♯9": 2.0, "♭6": 2.2, "6": 2.0}

    def with_adds(base: str, cost: float, description: str, parens: bool):
        if not adds:
            return base, cost, description
        cost += sum(add_cost.get(a, _WEIRD) for a in adds) + 0.3 * (len(adds) - 1)
        words = ", ".join(adds)
        if len(adds) == 1 and not parens and adds[0] in ("9", "11"):  # Cadd9, C(add♭9)
            return f"{base}add{adds[0]}", cost, f"{description}, added {words}"
        return f"{base}(add{','.join(adds)})", cost, f"{description}, added {words}"

    if third == 4:
        if fifth == "#":
            text, cost, d = with_adds("+", 1.5, "augmented triad", True)
            return text, cost + (0.8 if adds else 0.0), d, False
        if fifth == "b":
            text, cost, d = with_adds("(♭5)", 2.4, "major triad with ♭5", True)
            return text.replace(")(add", ",add"), cost, d, False
        text, cost, d = with_adds("", 0.0, "major triad", False)
        return text, cost, d, not adds
    if third == 3:
        if fifth == "b":
            text, cost, d = with_adds("°", 1.2, "diminished triad", True)
            return text, cost + (0.8 if adds else 0.0), d, False
        text, cost, d = with_adds("m", 0.2, "minor triad", True)
        return text, cost, d, not adds
    if sus is not None:
        base = f"sus{sus}"
        cost = 1.0 if sus == 4 else 1.3
        if fifth in ("b", "#"):
            base += "♭5" if fifth == "b" else "♯5"
            cost += _WEIRD
        if sus == 4 and "9" in adds:
            adds.remove("9")
            cost += 1.5
            base = "sus4(add9)" if not adds else "sus4(add9," + ",".join(adds) + ")"
            adds.clear()
        text, cost, d = with_adds(base, cost, f"suspended {'4th' if sus == 4 else '2nd'}", True)
        return text, cost + (0.6 if adds else 0.0), d, False
    if fifth == "p":
        text, cost, d = with_adds("5", 0.5, "power chord (root and fifth)", True)
        return text, cost + (1.0 if adds else 0.0), d, False
    if fifth is None and not adds:
        return "", 0.0, "single note", False
    # no third, no sus tone, no perfect fifth: a bare interval over the root
    base = "(♭5,no3)" if fifth == "b" else "(♯5,no3)" if fifth == "#" else ""
    text, cost, d = with_adds(base, 4.0, "interval", True)
    return text, cost, d, False
