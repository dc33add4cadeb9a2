"""Understanding sound: spectra, note/chord detectors, naming, smoothing, onsets, tuning, the
live analyzer and whole-file analysis."""
