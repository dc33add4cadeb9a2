"""kord_engine: music theory, audio analysis, synthesis and chord-recognition ML (no Qt)."""

from kord_engine.errors import KordError, ParseError

__version__ = "0.1.0"

__all__ = ["KordError", "ParseError", "__version__"]
