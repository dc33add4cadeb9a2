"""Audio in three rooms: `input` gets sound in (devices, capture, decoding), `listen`
understands it (spectra, detectors, naming, live analysis), `sound` makes it (synth, player)."""
