"""kord's music theory: notes, intervals, chords, scales, modes, describe and guess."""
