"""Computer-keyboard → piano mapping and the piano's key layout, as plain functions (no Qt).

Letters a s d f g h j k l ; play white keys from C of the current octave; the row above
(w e t y u o p) plays the black keys; z / x shift the octave; space is the sustain pedal.
"""

from __future__ import annotations

LOWEST_MIDI = 21  # A0
HIGHEST_MIDI = 108  # C8
DEFAULT_OCTAVE = 4
MIN_OCTAVE = 1
MAX_OCTAVE = 7

WHITE_ROW = "asdfghjkl;"
BLACK_ROW = "wetyuop"
OCTAVE_DOWN = "z"
OCTAVE_UP = "x"
SUSTAIN = " "

# Semitone offset from C of the current octave for every mapped character.
_WHITE_OFFSETS = (0, 2, 4, 5, 7, 9, 11, 12, 14, 16)
_BLACK_OFFSETS = (1, 3, 6, 8, 10, 13, 15)
KEY_OFFSETS: dict[str, int] = {
    **dict(zip(WHITE_ROW, _WHITE_OFFSETS, strict=True)),
    **dict(zip(BLACK_ROW, _BLACK_OFFSETS, strict=True)),
}

_BLACK_PCS = frozenset({1, 3, 6, 8, 10})
_PC_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def clamp_octave(octave: int) -> int:
    """Keep the computer-keyboard octave where its keys still land on the 88 keys."""
    return max(MIN_OCTAVE, min(MAX_OCTAVE, int(octave)))


def midi_for_char(char: str, octave: int = DEFAULT_OCTAVE) -> int | None:
    """MIDI note a typed character plays at `octave` (a = C of that octave), or None if unmapped."""
    offset = KEY_OFFSETS.get(char.lower()) if char else None
    if offset is None:
        return None
    midi = 12 * (clamp_octave(octave) + 1) + offset
    return midi if LOWEST_MIDI <= midi <= HIGHEST_MIDI else None


def octave_shift_for_char(char: str) -> int:
    """-1 for the octave-down key, +1 for octave-up, 0 otherwise."""
    c = char.lower() if char else ""
    return -1 if c == OCTAVE_DOWN else 1 if c == OCTAVE_UP else 0


def is_black(midi: int) -> bool:
    """Whether a MIDI note is a black key."""
    return midi % 12 in _BLACK_PCS


def midi_name(midi: int) -> str:
    """ASCII note name with flats and octave, kord's spelling for MIDI numbers (60 → 'C4')."""
    return f"{_PC_NAMES[midi % 12]}{midi // 12 - 1}"


def all_keys() -> list[int]:
    """The 88 piano keys, A0..C8, as MIDI numbers."""
    return list(range(LOWEST_MIDI, HIGHEST_MIDI + 1))


def white_index(midi: int) -> int:
    """Index of a white key among the 52 white keys (A0 = 0); for a black key, of the white below."""
    return _WHITE_INDEX[midi]


# Centre of each black key relative to the boundary between its two neighbouring white keys,
# in white-key widths: C♯/D♯ share 3 whites in 5 slots, F♯/G♯/A♯ share 4 whites in 7 slots,
# so the black keys sit off-centre like on a real piano.
_BLACK_SHIFT = {1: -0.1, 3: 0.1, 6: -1 / 7, 8: 0.0, 10: 1 / 7}
BLACK_WIDTH = 0.58  # in white-key widths
BLACK_HEIGHT = 0.63  # fraction of the white-key height


def key_rect(midi: int) -> tuple[float, float, float, float]:
    """(x, y, width, height) of a key in unit space: white keys are 1 wide and 1 tall."""
    if not is_black(midi):
        return float(white_index(midi)), 0.0, 1.0, 1.0
    centre = white_index(midi) + 1 + _BLACK_SHIFT[midi % 12]
    return centre - BLACK_WIDTH / 2, 0.0, BLACK_WIDTH, BLACK_HEIGHT


_WHITE_KEYS = [m for m in range(LOWEST_MIDI, HIGHEST_MIDI + 1) if not is_black(m)]
_WHITE_INDEX = {
    m: sum(1 for w in _WHITE_KEYS if w <= m) - 1 for m in range(LOWEST_MIDI, HIGHEST_MIDI + 1)
}
WHITE_KEY_COUNT = len(_WHITE_KEYS)


def key_at(x: float, y: float) -> int | None:
    """The key under a unit-space point (black keys on top), or None outside the keyboard."""
    if y < 0 or y > 1 or x < 0 or x >= WHITE_KEY_COUNT:
        return None
    w = int(x)
    below = _WHITE_KEYS[w]
    if y <= BLACK_HEIGHT:
        for cand in (below - 1, below + 1):
            if LOWEST_MIDI <= cand <= HIGHEST_MIDI and is_black(cand):
                bx, _, bw, _ = key_rect(cand)
                if bx <= x < bx + bw:
                    return cand
    return below


def velocity_from_depth(depth: float, lowest: float = 0.2) -> float:
    """Velocity 0..1 from where a key is hit: depth 0 (far end) is soft, 1 (near edge) is loud."""
    d = max(0.0, min(1.0, float(depth)))
    return round(lowest + (1.0 - lowest) * d, 3)
