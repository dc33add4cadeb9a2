#!/usr/bin/env python3
"""ML figures: default-model accuracy per data source, training samples/s per precision,
ONNX latency per window, model size (as stored, and full). Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/bench_ml.py [--shared ../shared] [--rendered .hidden/data]
        [--steps 200] [--skip-train] [--train-only] [--device auto|cpu|cuda[:N]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kord_engine.audio.listen.model.infer import load_model  # noqa: E402
from kord_engine.audio.listen.model.targets import encode_targets  # noqa: E402
from kord_engine.ml.metrics import report  # noqa: E402
from kord_engine.resources import default_model_dir  # noqa: E402
from kord_engine.samples import list_samples, read_sample  # noqa: E402


def captured_split(folder: Path) -> tuple[list[Path], list[Path]]:
    """The same 25 % held-out split scripts/train_default_model.sh makes (sha256 of the name)."""
    files = sorted(list_samples(folder), key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())
    k = round(len(files) * 0.25)
    return files[:k], files[k:]


def score(model, spectra: np.ndarray, masks: list[int]) -> tuple[float, float, int]:
    probs = model.predict_spectra(spectra)
    m = report(probs, encode_targets(masks, model.target), model.thresholds, model.target)
    return m.exact_match, m.macro_f1, m.count


def accuracy(args) -> None:
    from kord_engine.ml.sim import REALISTIC, SimConfig, simulate

    model = load_model()
    print(f"== default model accuracy ({default_model_dir()})")
    sets: dict[str, tuple[np.ndarray, list[int]]] = {}
    captured = Path(args.shared) / "data" / "samples" / "captured"
    if captured.is_dir():
        held, train = captured_split(captured)
        for name, files in (("captured held-out (never trained)", held), ("captured train", train)):
            samples = [read_sample(p) for p in files]
            sets[name] = (np.stack([s.spectrum for s in samples]), [s.mask for s in samples])
    noise = Path(args.shared) / "data" / "samples" / "noise"
    for name, cfg in (("sim (kord)", SimConfig()), ("sim (realistic)", REALISTIC)):
        spectra, masks = simulate(4, noise if noise.is_dir() else None, seed=12345, config=cfg)
        sets[name] = (spectra, masks)
    rendered = Path(args.rendered)
    for folder in sorted(rendered.glob("rendered_holdout_*")):
        files = list_samples(folder)
        samples = [read_sample(p) for p in files]
        sets[f"{folder.name} (instruments never trained)"] = (
            np.stack([s.spectrum for s in samples]),
            [s.mask for s in samples],
        )
        short = [i for i, p in enumerate(files) if "ms_" in p.name]
        if short:
            sets[f"{folder.name} short windows"] = (
                sets[f"{folder.name} (instruments never trained)"][0][short],
                [samples[i].mask for i in short],
            )
    for name, (spectra, masks) in sets.items():
        exact, f1, n = score(model, spectra, masks)
        print(f"  {name:<52} n={n:<5} exact {exact:6.1%}  macro F1 {f1:6.1%}")


def training_speed(args) -> None:
    import torch

    from kord_engine.ml.config import TrainConfig
    from kord_engine.ml.device import configure_threads, pin_memory_for, resolve_device
    from kord_engine.ml.loop import LoopContext, make_optimizer, run_loop
    from kord_engine.ml.models import build_model
    from kord_engine.ml.precision import LossScaler, supported_precisions

    threads = configure_threads(0)
    device = resolve_device(getattr(args, "device", "cpu"))
    where = (
        torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {threads} thread(s)"
    )
    print(f"== training speed ({device}: {where}, batch 100, mel 512 → 12)")
    support = supported_precisions(device)
    rng = np.random.default_rng(0)
    for model_name in ("ours", "kord"):
        for precision in ("fp32", "bf16", "fp16"):
            ok, why = support[precision]
            if not ok:
                print(f"  {model_name:<5} {precision}: unsupported ({why})")
                continue
            steps = args.steps if "emulated" not in why else max(10, args.steps // 10)
            n = steps * 100
            x = torch.from_numpy(rng.standard_normal((n, 512)).astype(np.float32))
            y = torch.from_numpy((rng.random((n, 12)) < 0.3).astype(np.float32))
            config = TrainConfig(
                training_sources=["sim"], model=model_name, precision=precision, epochs=1
            )
            if model_name == "ours":
                config = config.replace(ours_hidden=512)
            torch.manual_seed(0)
            model = build_model(config, 512, 12).to(device)
            ctx = LoopContext(
                config,
                model,
                make_optimizer(model, config),
                LossScaler(enabled=precision == "fp16", device=device),
                device,
                pin_memory=pin_memory_for(device),
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                state = run_loop(ctx, x, y)
            rate = n / state.seconds
            note = " (emulated on this CPU)" if "emulated" in why else ""
            print(
                f"  {model_name:<5} {precision}: {rate:8,.0f} samples/s over {steps} steps "
                f"({1000 * state.seconds / steps:.1f} ms/step){note}"
            )


def latency(args) -> None:
    from kord_engine.audio.listen.model.infer import MlDetector

    model = load_model()
    detector = MlDetector()
    print(f"== inference latency (onnxruntime, 1 thread, window {detector.window_seconds} s)")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, model.artifact.input_width)).astype(np.float32)
    for _ in range(20):
        model.predict(x)
    times = []
    for _ in range(args.latency_runs):
        t = time.perf_counter()
        model.predict(x)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    print(
        f"  model only (features → probs): median {np.median(ms):.3f} ms, p99 {np.percentile(ms, 99):.3f} ms"
    )
    sr = 48000
    t = np.arange(int(sr * detector.window_seconds)) / sr
    audio = (0.1 * np.sin(2 * np.pi * 261.63 * t) + 0.1 * np.sin(2 * np.pi * 329.63 * t)).astype(
        np.float32
    )
    times = []
    for _ in range(max(20, args.latency_runs // 10)):
        t0 = time.perf_counter()
        detector.detect(audio, sr)
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    print(
        f"  full window (audio → spectrum → mel → model → chord): median {np.median(ms):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms"
    )


def sizes() -> None:
    folder = default_model_dir()
    rep = json.loads((folder / "report.json").read_text())
    size = (folder / "model.onnx").stat().st_size
    store = json.loads((folder / "config.json").read_text())["store_precision"]
    trained = rep["config"]["store_precision"]
    print("== model size")
    print(f"  shipped model.onnx ({store} store): {size:,} bytes")
    if "onnx_bytes_full" in rep:
        print(f"  same model, full (fp32) store: {rep['onnx_bytes_full']:,} bytes")
        diff = rep.get("half_vs_full_max_abs_prob_diff")
        if diff is not None:
            print(f"  {trained} vs full when trained: max |Δp| on validation = {diff:.2e}")
    if store != trained:
        print(f"  (trained with {trained} store, then converted: kord ml convert)")
    print(f"  parameters: {rep.get('parameters', 0):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--rendered", default=str(ROOT / ".hidden" / "data"))
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--latency-runs", type=int, default=2000)
    parser.add_argument("--skip-train", action="store_true", help="skip the training-speed part")
    parser.add_argument("--train-only", action="store_true", help="only the training speed")
    parser.add_argument("--device", default="cpu", help="training device: auto|cpu|cuda[:N]")
    args = parser.parse_args()
    if not args.train_only:
        sizes()
        accuracy(args)
        latency(args)
    if not args.skip_train:
        training_speed(args)


if __name__ == "__main__":
    main()
