"""Run a trained chord model with onnxruntime: features → probabilities → notes and chords.

This module never imports torch (the app ships without it). `MlDetector` implements the audio
Detector protocol, so the live analyzer, `kord ml infer` and the GUI use the same path.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from kord_engine.audio.listen.detection import EMPTY, Detection
from kord_engine.audio.listen.model.artifact import ModelArtifact, read_artifact
from kord_engine.audio.listen.naming import rank_chords_named
from kord_engine.audio.listen.sparse_rows import GridInterpolation
from kord_engine.errors import ModelError

#: spectra whose strongest bin is below this are silence (no model call)
SILENCE_FLOOR = 1e-6

_CACHE: dict[tuple[str, int], OnnxModel] = {}
_CACHE_LOCK = threading.Lock()


class OnnxModel:
    """A loaded model artifact: an onnxruntime session plus its config and thresholds."""

    def __init__(self, artifact: ModelArtifact, path: Path):
        import onnxruntime as ort

        self.artifact = artifact
        self.path = path
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                artifact.onnx_bytes, options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise ModelError(f"{path / 'model.onnx'} is not a loadable ONNX model: {exc}") from exc
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{path / 'model.onnx'} must have one input and one output")
        self.input_name = inputs[0].name
        in_width, out_width = inputs[0].shape[-1], outputs[0].shape[-1]
        if isinstance(in_width, int) and in_width != artifact.input_width:
            raise ModelError(
                f"{path}: model.onnx takes {in_width} features but config.json says "
                f"{artifact.input_width}"
            )
        if isinstance(out_width, int) and out_width != artifact.output_width:
            raise ModelError(
                f"{path}: model.onnx gives {out_width} outputs but config.json says "
                f"{artifact.output_width}"
            )
        self._check_against_features()
        self._lock = threading.Lock()

    def _check_against_features(self) -> None:
        from kord_engine.audio.listen.model.features import feature_width
        from kord_engine.audio.listen.model.targets import target_width

        try:
            want_in = feature_width(self.loader, self.include_guess)
            want_out = target_width(self.target)
        except Exception as exc:  # noqa: BLE001 - FeatureError/TargetError from config values
            raise ModelError(f"{self.path / 'config.json'}: {exc}") from exc
        if want_in != self.artifact.input_width or want_out != self.artifact.output_width:
            raise ModelError(
                f"{self.path}: loader {self.loader!r} gives {want_in} features and target "
                f"{self.target!r} {want_out} outputs, but the model is "
                f"{self.artifact.input_width} → {self.artifact.output_width}"
            )

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> OnnxModel:
        """Load (and cache) a model folder; None = the shipped default model."""
        if model_dir is None:
            from kord_engine.resources import default_model_dir

            model_dir = default_model_dir()
        path = Path(model_dir).resolve()
        onnx_file = path / "model.onnx"
        stamp = onnx_file.stat().st_mtime_ns if onnx_file.is_file() else 0
        key = (str(path), stamp)
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        model = cls(read_artifact(path), path)
        with _CACHE_LOCK:
            _CACHE[key] = model
        return model

    @property
    def loader(self) -> str:
        return self.artifact.loader

    @property
    def include_guess(self) -> bool:
        return self.artifact.include_guess

    @property
    def target(self) -> str:
        return self.artifact.target

    @property
    def thresholds(self) -> np.ndarray:
        return self.artifact.thresholds

    def predict(self, features: np.ndarray) -> np.ndarray:
        """(N, F) or (F,) float32 features → (N, C) probabilities."""
        x = np.asarray(features, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.artifact.input_width:
            raise ModelError(
                f"model expects (N, {self.artifact.input_width}) features, got {x.shape}"
            )
        with self._lock:
            return self.session.run(None, {self.input_name: x})[0]

    def features(self, spectra: np.ndarray) -> np.ndarray:
        """(N, 8192) spectra → the features this model was trained on."""
        from kord_engine.audio.listen.model.features import compute_features

        return compute_features(
            np.asarray(spectra, dtype=np.float32), self.loader, self.include_guess
        )

    def predict_spectra(self, spectra: np.ndarray) -> np.ndarray:
        """(N, 8192) spectra → (N, C) probabilities."""
        return self.predict(self.features(spectra))

    def decisions(self, probs: np.ndarray) -> np.ndarray:
        """(N, C) probabilities → (N, C) bool, as `targets.decode` decides."""
        from kord_engine.audio.listen.model.targets import predictions

        return predictions(probs, self.thresholds, self.target)


def load_model(model_dir: str | Path | None = None) -> OnnxModel:
    """The model in `model_dir` (None = the shipped default), cached per folder."""
    return OnnxModel.load(model_dir)


def confidence_from_margins(probs: np.ndarray, thresholds: np.ndarray) -> float:
    """0..1: the weakest class decision's distance from its threshold, scaled to the room left
    on that side (1 = every class at 0 or 1, 0 = some class exactly on its threshold)."""
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    thr = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    if p.size == thr.size:  # plain floats (the same float64 operations): one per class
        margins = [
            abs(v - t) / max(1.0 - t if v > t else t, 1e-6)
            for v, t in zip(p.tolist(), thr.tolist(), strict=True)
        ]
        if not margins:
            return 0.0
        if any(m != m for m in margins):  # NaN, as numpy's min and clip give it
            return float("nan")
        return min(max(min(margins), 0.0), 1.0)
    above = p > thr
    room = np.where(above, 1.0 - thr, thr)
    margin = np.abs(p - thr) / np.maximum(room, 1e-6)
    return float(np.clip(margin.min(), 0.0, 1.0)) if margin.size else 0.0


def _shift(spectrum: np.ndarray, ratio: float) -> np.ndarray:
    """spectrum.shift_spectra of one 8192-bin spectrum by a scalar ratio (the same values):
    the live tuning is the same hop after hop, so its interpolation is planned once."""
    from kord_engine.audio.listen.spectrum import SPECTRUM_BINS, shift_spectra

    if spectrum.shape != (SPECTRUM_BINS,):
        return shift_spectra(spectrum, ratio)[0]
    return _warp(float(ratio))(spectrum).astype(np.float32)


@lru_cache(maxsize=64)
def _warp(ratio: float) -> GridInterpolation:
    """out[f] = in[f / ratio] on the 8192 1 Hz bins, nothing above the top one (as
    spectrum.shift_spectra)."""
    from kord_engine.audio.listen.spectrum import SPECTRUM_BINS

    grid = np.arange(SPECTRUM_BINS, dtype=np.float64)
    return GridInterpolation(grid / ratio, SPECTRUM_BINS, right=0.0)


def _floats(values: np.ndarray | list) -> list[float]:
    """The values as a list of Python floats (`tolist` where they are floats already)."""
    a = np.asarray(values)
    return a.tolist() if a.dtype.kind == "f" and a.ndim == 1 else [float(v) for v in values]


def _voicing(pitch_classes: tuple[int, ...], bass: int | None) -> tuple[int, ...]:
    """Octave-4 note ids (as kord reports ML notes), rotated so the bass is lowest."""
    if bass is None:
        return tuple(48 + pc for pc in pitch_classes)
    return tuple(sorted(48 + pc if pc >= bass else 60 + pc for pc in pitch_classes))


class MlDetector:
    """The trained model as a Detector: audio window → spectrum → features → Detection."""

    name = "ml"
    #: detect(..., named=False) leaves the chord names out (the live analyzer names labels)
    names_on_request = True

    def __init__(self, model_dir: str | Path | None = None, window_seconds: float | None = None):
        self.model = OnnxModel.load(model_dir)
        self.window_seconds = float(window_seconds or self.model.artifact.window_seconds)
        #: the instrument's A4 (Hz): spectra are warped onto the A440 grid the model knows
        self.reference_hz = 440.0

    def detect(self, audio: np.ndarray, sample_rate: int, *, named: bool = True) -> Detection:
        """The model's reading of a window (`named=False`: without chord names)."""
        from kord_engine.audio.listen.spectrum import window_frequency_space

        audio = np.asarray(audio, dtype=np.float32)
        if audio.size == 0 or not audio.any():
            return EMPTY
        spectrum = window_frequency_space(audio, int(sample_rate))
        return self.detect_spectrum(spectrum, named=named)

    def detect_spectrum(
        self, spectrum: np.ndarray, timestamp: float = 0.0, *, named: bool = True
    ) -> Detection:
        """A kord 8192-bin frequency space (e.g. a .bin sample) → Detection."""
        spectrum = np.asarray(spectrum, dtype=np.float32).reshape(-1)
        if float(np.abs(spectrum).max(initial=0.0)) < SILENCE_FLOOR:
            return EMPTY
        if float(self.reference_hz) != 440.0:
            from kord_engine.audio.listen.tuning import quantize

            spectrum = _shift(spectrum, 440.0 / quantize(self.reference_hz))
        probs = self.model.predict_spectra(spectrum[None, :])[0]
        return self.detection_from_probs(probs, timestamp, named=named)

    def detection_from_probs(
        self, probs: np.ndarray, timestamp: float = 0.0, *, named: bool = True
    ) -> Detection:
        from kord_engine.audio.listen.model.targets import decode

        decoded = decode(probs, self.model.thresholds, self.model.target)
        pcs = tuple(sorted(decoded.pitch_classes))
        thr = np.asarray(self.model.thresholds)
        p = np.asarray(probs)
        if self.model.target == "folded_bass":
            p = p[12:]
            thr = thr[12:] if thr.size == 24 else thr
        notes = tuple(decoded.note_ids) or _voicing(pcs, decoded.bass)
        candidates, names = (
            rank_chords_named(notes, pcs, decoded.bass, "pitch_classes") if named else ([], ())
        )
        return Detection(
            notes=notes,
            pitch_classes=pcs,
            bass=decoded.bass,
            confidence=confidence_from_margins(p, thr),
            chords=names,
            timestamp=timestamp,
            extra={
                "probs": _floats(probs),
                "deltas": _floats(p - thr),
                "candidates": candidates,
            },
        )
