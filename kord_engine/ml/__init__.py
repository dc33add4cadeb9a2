"""Chord recognition you can train: data, models, training, export. The model's run-time side
(artifact, features, targets, onnxruntime inference) is kord_engine.audio.listen.model, which
ml imports and which never imports ml.

Importing this package never imports torch; only `kord_engine.ml.train*` does.
"""
