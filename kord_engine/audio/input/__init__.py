"""Getting sound in: audio devices, microphone capture, the capture ring buffer, file decoding."""
