"""Audio: devices, capture, decoding, spectra, note/chord detection, live analysis, synth."""
