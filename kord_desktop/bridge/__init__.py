"""Qt adapters over engine objects: analyzer events → signals, synth calls from the GUI thread."""

from kord_desktop.bridge.analyzer_bridge import AnalyzerBridge
from kord_desktop.bridge.synth_bridge import SynthBridge

__all__ = ["AnalyzerBridge", "SynthBridge"]
