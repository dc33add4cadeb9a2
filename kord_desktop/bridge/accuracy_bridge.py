"""Before/after accuracy off the GUI thread: each model's exact-set accuracy on held-out takes.

Loading a model and running it over the held-out samples takes a moment (onnxruntime session,
features); an `AccuracyJob` does it in its own QThread and reports one queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from kord_desktop.bridge import trainer_bridge

log = logging.getLogger(__name__)


class AccuracyJob(QThread):
    """`exact_accuracy(model_dir, samples)` for each (name, model_dir); emits `measured`
    ({name: accuracy 0..1}) or `failed(why)`. Kept in trainer_bridge.LIVE_THREADS while it runs."""

    measured = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        models: Sequence[tuple[str, str | Path]],
        samples: Sequence[str | Path],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.models = [(name, Path(path)) for name, path in models]
        self.samples = [Path(p) for p in samples]
        self.setObjectName("kord-accuracy")
        self.finished.connect(self._forget)

    def start(self, *args) -> None:  # noqa: D401 - QThread.start, remembered while running
        trainer_bridge.LIVE_THREADS.add(self)
        super().start(*args)

    def run(self) -> None:
        try:
            from kord_engine.ml.finetune import exact_accuracy

            result = {name: float(exact_accuracy(path, self.samples)) for name, path in self.models}
        except Exception as exc:  # noqa: BLE001 - shown on the page
            log.warning("accuracy on held-out takes failed: %s", exc)
            self.failed.emit(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
            return
        self.measured.emit(result)

    def _forget(self) -> None:
        trainer_bridge.LIVE_THREADS.discard(self)
