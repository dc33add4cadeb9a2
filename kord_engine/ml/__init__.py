"""Chord recognition you can train: data, features, models, training, export, inference.

Importing this package never imports torch; only `kord_engine.ml.train*` does.
"""
