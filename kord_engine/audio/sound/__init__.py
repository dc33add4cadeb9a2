"""Making sound: timbres, envelopes, the synth, limiter, player, progressions, offline and
fluidsynth rendering, and simulated rooms and microphones (conditions) for test audio."""
