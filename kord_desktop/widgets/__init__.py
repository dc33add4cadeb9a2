"""Custom widgets: spectrum, chord display, level meter, timeline (and the shared keyboard)."""
