"""The trained chord model at run time: its artifact folder, the features it reads, the targets
it writes, and onnxruntime inference (never torch). kord_engine.ml trains and exports into it."""
