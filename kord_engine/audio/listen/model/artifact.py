"""The model artifact folder: model.onnx, config.json, thresholds.json, report.json.

Reading checks every file and that they agree (widths, target, thresholds) so a damaged or
mismatched folder is a clear ModelError, never a crash deep inside onnxruntime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kord_engine.atomic import atomic_directory
from kord_engine.errors import ModelError

MODEL_FILE = "model.onnx"
CONFIG_FILE = "config.json"
THRESHOLDS_FILE = "thresholds.json"
REPORT_FILE = "report.json"
FORMAT = "kord-desktop-model"
VERSION = 1


@dataclass
class ModelArtifact:
    """A model folder's contents in memory."""

    onnx_bytes: bytes
    config: dict[str, Any]
    thresholds: np.ndarray
    report: dict[str, Any]

    @property
    def loader(self) -> str:
        return str(self.config["loader"])

    @property
    def include_guess(self) -> bool:
        return bool(self.config["include_guess"])

    @property
    def target(self) -> str:
        return str(self.config["target"])

    @property
    def input_width(self) -> int:
        return int(self.config["input_width"])

    @property
    def output_width(self) -> int:
        return int(self.config["output_width"])

    @property
    def window_seconds(self) -> float:
        return float(self.config.get("window_seconds", 1.0))


def artifact_config(train_config: dict[str, Any], input_width: int, output_width: int) -> dict:
    """config.json: the top-level facts inference needs, plus the full TrainConfig."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "loader": train_config["loader"],
        "include_guess": bool(train_config["include_guess"]),
        "target": train_config["target"],
        "model": train_config["model"],
        "input_width": int(input_width),
        "output_width": int(output_width),
        "store_precision": train_config["store_precision"],
        "window_seconds": float(train_config.get("window_seconds", 1.0)),
        "input_name": "features",
        "output_name": "probs",
        "train_config": train_config,
    }


def write_artifact(path: str | Path, artifact: ModelArtifact) -> Path:
    """Write the four files into a temporary folder and move it into place as a whole."""

    def fill(tmp: Path) -> None:
        tmp.chmod(0o755)  # mkdtemp makes it 0700; a model folder is meant to be shared
        (tmp / MODEL_FILE).write_bytes(artifact.onnx_bytes)
        (tmp / CONFIG_FILE).write_text(json.dumps(artifact.config, indent=2) + "\n")
        thr = [round(float(t), 4) for t in artifact.thresholds]
        (tmp / THRESHOLDS_FILE).write_text(json.dumps(thr) + "\n")
        (tmp / REPORT_FILE).write_text(json.dumps(artifact.report, indent=2) + "\n")

    return atomic_directory(path, fill)


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ModelError(f"model folder {path.parent} has no {path.name}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc


def read_artifact(path: str | Path) -> ModelArtifact:
    """Load and cross-check a model folder; every problem is a ModelError naming the file."""
    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"model folder {path} does not exist")
    config = _read_json(path / CONFIG_FILE)
    if not isinstance(config, dict):
        raise ModelError(f"{path / CONFIG_FILE} must be a JSON object")
    missing = [
        k
        for k in ("loader", "include_guess", "target", "input_width", "output_width")
        if k not in config
    ]
    if missing:
        raise ModelError(f"{path / CONFIG_FILE} lacks {', '.join(missing)}")
    thresholds = _read_json(path / THRESHOLDS_FILE)
    if not isinstance(thresholds, list) or not all(isinstance(t, int | float) for t in thresholds):
        raise ModelError(f"{path / THRESHOLDS_FILE} must be a JSON array of numbers")
    thr = np.asarray(thresholds, dtype=np.float32)
    width = int(config["output_width"])
    allowed = {width, 12} if config["target"] == "folded_bass" else {width}
    if thr.size not in allowed:
        raise ModelError(
            f"{path / THRESHOLDS_FILE} has {thr.size} thresholds but the model has {width} outputs"
        )
    if not np.all((thr >= 0) & (thr <= 1)):
        raise ModelError(f"{path / THRESHOLDS_FILE}: thresholds must lie in [0, 1]")
    model_path = path / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"model folder {path} has no {MODEL_FILE}")
    report_path = path / REPORT_FILE
    report = _read_json(report_path) if report_path.is_file() else {}
    return ModelArtifact(model_path.read_bytes(), config, thr, report)
