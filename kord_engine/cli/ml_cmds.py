"""`kord ml …`: train, infer (file / mic / sample), eval and hpt; data commands come from
`ml_data_cmds`. Parsing and printing only; the work is in kord_engine.ml."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from kord_engine.errors import KordError

#: kord's flag names, kept as aliases of ours
_KORD_ALIASES = {
    "epochs": ["--model-epochs"],
    "batch_size": ["--model-batch-size"],
    "seed": ["--model-seed"],
    "lr": ["--adam-learning-rate"],
    "weight_decay": ["--adam-weight-decay"],
    "beta1": ["--adam-beta1"],
    "beta2": ["--adam-beta2"],
    "eps": ["--adam-epsilon"],
}
_CHOICES = {
    "model": ("kord", "ours"),
    "precision": ("fp32", "fp16", "bf16"),
    "store_precision": ("full", "half", "int8"),
    "lr_schedule": ("cosine", "kord"),
    "simulation_preset": ("kord", "realistic"),
    "threshold_on": ("all", "recorded"),
    "threshold_clamp": ("kord", "exact"),
    "trainable": ("all", "top", "head"),
    "threshold_from": ("tune", "init"),
    "sim_targets": ("labels", "model"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kord ml` and its subcommands."""
    ml = subparsers.add_parser("ml", help="train, run and evaluate chord-recognition models")
    ml_sub = ml.add_subparsers(dest="ml_command", metavar="ML_COMMAND")
    ml.set_defaults(func=lambda args: _usage(ml))
    _register_train(ml_sub)
    _register_infer(ml_sub)
    _register_eval(ml_sub)
    _register_hpt(ml_sub)
    _register_convert(ml_sub)
    try:
        from kord_engine.cli.ml_data_cmds import register_data_commands
    except ImportError:  # pragma: no cover - ml-data's commands not written yet
        return
    register_data_commands(ml_sub)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("kord: error: choose an ml command", file=sys.stderr)
    return 2


# ---------------------------------------------------------------- train


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (defaults None = keep the dataclass default)."""
    from kord_engine.ml.config import TrainConfig

    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        names = [flag, *_KORD_ALIASES.get(f.name, [])]
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        if f.name == "target":
            parser.add_argument(
                *names,
                action="append",
                default=None,
                help="the target (exactly one): full, folded (default) or folded_bass",
            )
        elif isinstance(default, bool):
            parser.add_argument(*names, action=argparse.BooleanOptionalAction, default=None)
        elif isinstance(default, list):
            parser.add_argument(*names, nargs="+", default=None, metavar="SRC")
        elif f.name in _CHOICES:
            parser.add_argument(*names, choices=_CHOICES[f.name], default=None)
        else:
            kind = type(default) if default is not None else str
            parser.add_argument(
                *names, type=kind, default=None, help=f"default: {default}", metavar=f.name.upper()
            )


def _config_from_args(args: argparse.Namespace):
    from kord_engine.ml.config import TrainConfig, validate_target

    changes: dict[str, Any] = {}
    for f in dataclasses.fields(TrainConfig):
        value = getattr(args, f.name, None)
        if value is None:
            continue
        if f.name == "target":
            value = validate_target(value)
        changes[f.name] = value
    if changes.get("init_from"):
        return _finetune_config_from_args(args, changes)
    base = TrainConfig.load(args.config) if args.config else TrainConfig()
    return base.replace(**changes).validate()


def _finetune_config_from_args(args: argparse.Namespace, changes: dict[str, Any]):
    """--init-from MODEL: ml.finetune's config for the model (its loader, target,
    architecture, fine-tuning defaults, replay), then every flag given on top."""
    from kord_engine.ml.config import ConfigError
    from kord_engine.ml.finetune import SIM, finetune_config

    if args.config:
        raise ConfigError("--init-from takes its settings from the model; drop --config")
    init_from = changes.pop("init_from")
    sources = changes.pop("training_sources", None)
    if not sources:
        raise ConfigError("--init-from needs --training-sources (folders of your recordings)")
    destination = changes.pop("destination", "model")
    if args.replay_share is not None:
        changes["replay_share"] = args.replay_share
    if args.finetune_steps is not None:
        changes["steps"] = args.finetune_steps
    holdout = changes.pop("validation_sources", [])
    replay = args.replay if args.replay is not None else [SIM]
    return finetune_config(init_from, sources, destination, replay, holdout, **changes)


def _register_train(ml_sub: argparse._SubParsersAction) -> None:
    p = ml_sub.add_parser(
        "train",
        help="train a chord model and write its artifact folder",
        description="Train a chord model. Sources are .bin folders or 'sim'. Every TrainConfig "
        "field is a flag; --config loads a JSON TrainConfig first. --init-from MODEL_DIR "
        "fine-tunes that model on --training-sources (your recordings) with its own loader, "
        "target and architecture and fine-tuning defaults (few epochs, small learning rate, "
        "a replay of simulated chords, the model's thresholds); flags given override them.",
    )
    p.add_argument("--config", help="a TrainConfig JSON file to start from")
    _add_config_flags(p)
    p.add_argument(
        "--replay",
        nargs="*",
        default=None,
        metavar="SRC",
        help="with --init-from: sources replayed so the model keeps what it knew "
        "(default: sim; add folders of captured recordings; none: no replay)",
    )
    p.add_argument(
        "--replay-share",
        type=float,
        default=None,
        help="with --init-from: share of training rows from the simulated replay (default 0.5)",
    )
    p.add_argument(
        "--finetune-steps",
        type=int,
        default=None,
        help="with --init-from: optimizer-step budget; --epochs is at most that many epochs "
        "and the budget may make it fewer (default 180; 0: exactly --epochs)",
    )
    p.add_argument("--json", action="store_true", help="print the final report as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    from kord_engine.ml.progress import TerminalBar
    from kord_engine.ml.report import format_report
    from kord_engine.ml.train import train

    config = _config_from_args(args)
    bar = None if args.no_progress or args.quiet else TerminalBar()
    from kord_engine.ml.ddp import env_info

    rank = env_info().rank
    try:
        result = train(config, progress=bar if rank == 0 else None)
    finally:
        if bar is not None:
            bar.close()
    if rank != 0:  # under torchrun only rank 0 reports (and writes the artifact)
        return 0
    if result.cancelled:
        print("training cancelled; nothing written", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps({"destination": str(result.destination), **result.report}, indent=2))
    else:
        print(format_report(result.report))
        print(f"model written to {result.destination}")
    return 0


# ---------------------------------------------------------------- infer


def _register_infer(ml_sub: argparse._SubParsersAction) -> None:
    p = ml_sub.add_parser("infer", help="name the chord in audio files, the mic or .bin samples")
    sub = p.add_subparsers(dest="infer_kind", metavar="SOURCE")
    p.set_defaults(func=lambda args: _usage(p))
    f = sub.add_parser("file", help="audio files (wav, flac, mp3, …)")
    f.add_argument("paths", nargs="+", metavar="PATH")
    f.add_argument("--start", type=float, default=None, help="seconds into the file")
    f.add_argument("--end", type=float, default=None, help="seconds into the file")
    f.set_defaults(func=_cmd_infer_file)
    m = sub.add_parser("mic", help="record from the microphone, then name the chord")
    m.add_argument("--seconds", type=float, default=2.0, help="recording length (default 2)")
    m.add_argument("--device", default=None, help="input device index or name")
    m.set_defaults(func=_cmd_infer_mic)
    s = sub.add_parser("sample", help="kord .bin samples (8192-bin spectra)")
    s.add_argument("paths", nargs="+", metavar="FILE.bin")
    s.set_defaults(func=_cmd_infer_sample)
    from kord_engine.cli.audio_cmds import add_heard_names_option, add_tuning_option

    for parser in (f, m, s):
        parser.add_argument("--model", default=None, help="model folder (default: shipped)")
        parser.add_argument("--json", action="store_true", help="one JSON object per input")
        # .bin spectra (1 Hz bins) are too coarse to measure a tuning: A440 unless asked
        add_tuning_option(parser, "440" if parser is s else "auto")
        add_heard_names_option(parser)  # --names: lead-sheet (default) or kord


def _infer_tuned(detector, audio, rate: int, tuning):
    """The model's detection of `audio`, read against its tuning (reported as tuning_hz)."""
    from dataclasses import replace

    from kord_engine.audio.listen.analysis import resolve_tuning, tuned

    ref = resolve_tuning(audio, rate, tuning)
    with tuned(detector, ref):
        found = detector.detect(audio, rate)
    return replace(found, tuning_hz=ref)


def _emit_detection(name: str, detection, as_json: bool, names: str | None = None) -> None:
    """One line (or JSON object) per input; chords in the naming style `names` (None:
    lead-sheet; the model's folded target has no bass: root-position names)."""
    from kord_engine.audio.listen.naming import chord_names

    if as_json:
        print(json.dumps({"file": name, **detection.to_json(names)}, ensure_ascii=False))
        return
    pcs = " ".join(_pc_name(pc) for pc in detection.pitch_classes) or "(nothing)"
    chords = ", ".join(chord_names(detection, names)[:4]) or "no chord"
    bass = f" bass {_pc_name(detection.bass)}" if detection.bass is not None else ""
    tuning = f", A = {detection.tuning_hz:.1f} Hz" if detection.tuning_hz is not None else ""
    print(f"{name}: {pcs}{bass} → {chords} (confidence {detection.confidence:.2f}{tuning})")


def _pc_name(pc: int) -> str:
    from kord_engine.samples import note_id_name

    return note_id_name(int(pc))[:-1]


def _cmd_infer_file(args: argparse.Namespace) -> int:
    from kord_engine.audio.input.decode import load_audio
    from kord_engine.audio.listen.model.infer import MlDetector

    detector = MlDetector(args.model)
    for path in args.paths:
        clip = load_audio(path, args.start, args.end)
        found = _infer_tuned(detector, clip.samples, clip.sample_rate, args.tuning)
        _emit_detection(path, found, args.json, args.names)
    return 0


def _cmd_infer_sample(args: argparse.Namespace) -> int:
    from kord_engine.audio.listen.model.infer import MlDetector
    from kord_engine.samples import read_sample

    detector = MlDetector(args.model)
    for path in args.paths:
        sample = read_sample(path)
        ref = args.tuning
        if ref == "auto":
            from kord_engine.audio.listen.tuning import estimate_tuning_spectrum

            est = estimate_tuning_spectrum(sample.spectrum, 1.0)
            ref = est.reference_hz if est.known else 440.0
        detector.reference_hz = ref
        found = detector.detect_spectrum(sample.spectrum)
        _emit_detection(path, dataclasses.replace(found, tuning_hz=ref), args.json, args.names)
    return 0


def _cmd_infer_mic(args: argparse.Namespace) -> int:
    from kord_engine.audio.input.devices import (
        negotiate_sample_rate,
        resolve_device,
        sounddevice_module,
    )
    from kord_engine.audio.listen.model.infer import MlDetector
    from kord_engine.errors import DeviceError

    if not 0.1 <= args.seconds <= 255:
        raise KordError(f"--seconds must be between 0.1 and 255, got {args.seconds}")
    detector = MlDetector(args.model)
    device = resolve_device(args.device, "input")
    rate = negotiate_sample_rate(device, None, "input", 1)
    sd = sounddevice_module()
    if sd is None:  # pragma: no cover - resolve_device already failed
        raise DeviceError("sounddevice is not available")
    if not args.quiet:
        print(f"listening for {args.seconds:g} s on {device.name} …", file=sys.stderr)
    try:
        audio = sd.rec(
            int(args.seconds * rate),
            samplerate=rate,
            channels=1,
            dtype="float32",
            device=device.index,
        )
        sd.wait()
    except Exception as exc:  # noqa: BLE001 - PortAudio errors
        raise DeviceError(f"recording from {device.name} failed: {exc}") from exc
    found = _infer_tuned(detector, audio[:, 0], rate, args.tuning)
    _emit_detection("mic", found, args.json, args.names)
    return 0


# ---------------------------------------------------------------- eval


def _register_eval(ml_sub: argparse._SubParsersAction) -> None:
    p = ml_sub.add_parser("eval", help="score a model on folders of labelled .bin samples")
    p.add_argument("--source", nargs="+", required=True, metavar="DIR", help=".bin folders")
    p.add_argument(
        "--model",
        nargs="+",
        default=None,
        metavar="DIR",
        help="model folder (default: shipped); several compare them side by side",
    )
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=_cmd_eval)


def evaluate_sources(model_dir: str | None, sources: list[str]) -> dict[str, Any]:
    """Metrics (kord's report) per source folder and for all of them together."""
    import numpy as np

    from kord_engine.audio.listen.model.infer import load_model
    from kord_engine.audio.listen.model.targets import encode_targets
    from kord_engine.ml.report import metrics_dict
    from kord_engine.ml.sources import load_source

    model = load_model(model_dir)
    per: dict[str, Any] = {}
    all_probs, all_targets = [], []
    for spec in sources:
        if str(spec) == "sim" or not Path(spec).is_dir():
            raise KordError(f"eval source {spec!r} is not a folder of .bin samples")
        data = load_source(spec)
        if not data.masks:
            raise KordError(f"eval source {spec!r} holds no .bin samples")
        probs = model.predict_spectra(data.spectra)
        targets = encode_targets(data.masks, model.target)
        metrics = metrics_dict(probs, targets, model.thresholds, model.target)
        per[str(spec)] = _short_metrics(metrics)
        all_probs.append(probs)
        all_targets.append(targets)
    overall = metrics_dict(
        np.concatenate(all_probs), np.concatenate(all_targets), model.thresholds, model.target
    )
    return {"model": str(model.path), **_short_metrics(overall), "sources": per}


def _short_metrics(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "count": m["count"],
        "exact": m["exact_match"],
        "macro_f1": m["macro_f1"],
        "macro_pr_auc": m["macro_pr_auc"],
        "sample_f1": m["sample_f1"],
        "macro_precision": m["macro_precision"],
        "macro_recall": m["macro_recall"],
    }


def _cmd_eval(args: argparse.Namespace) -> int:
    models = args.model or [None]
    if len(models) > 1:
        return _eval_compare(models, args.source, args.json)
    result = evaluate_sources(models[0], args.source)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"model {result['model']}")
    for name, m in [*result["sources"].items(), ("all", result)]:
        print(
            f"{name:<40} n={m['count']:<5} exact {m['exact']:6.1%}  macro F1 {m['macro_f1']:6.1%}  "
            f"PR-AUC {m['macro_pr_auc']:6.1%}  sample F1 {m['sample_f1']:6.1%}"
        )
    return 0


def _eval_compare(models: list[str], sources: list[str], as_json: bool) -> int:
    """Several models on the same sources: exact match (macro F1) per source, side by side;
    the differences are against the first model. JSON: {"models": [each eval result]}."""
    results = [evaluate_sources(m, sources) for m in models]
    if as_json:
        print(json.dumps({"models": results}, indent=2))
        return 0
    width = 24
    for i, r in enumerate(results, 1):
        print(f"model {i}: {r['model']}")
    header = "".join(f"{f'model {i}':>{width}}" for i in range(1, len(results) + 1))
    print(f"{'source':<40} {'n':>5}{header}")
    names = [*results[0]["sources"], "all"]
    for name in names:
        cells = []
        for r in results:
            m = r if name == "all" else r["sources"][name]
            first = results[0] if name == "all" else results[0]["sources"][name]
            delta = 100 * (m["exact"] - first["exact"])
            shown = f"{m['exact']:.1%}" + (f" ({delta:+.1f})" if r is not results[0] else "")
            shown += f" F1 {m['macro_f1']:.0%}"
            cells.append(f"{shown:>{width}}")
        count = (results[0] if name == "all" else results[0]["sources"][name])["count"]
        label = name if len(name) <= 40 else "…" + name[-39:]
        print(f"{label:<40} {count:>5}" + "".join(cells))
    return 0


# ---------------------------------------------------------------- convert


def _register_convert(ml_sub: argparse._SubParsersAction) -> None:
    p = ml_sub.add_parser(
        "convert",
        help="store a model folder's weights as full, half or int8 (int8: the fastest to run)",
    )
    p.add_argument("model", help="model folder (e.g. resources/models/default)")
    p.add_argument("--store-precision", required=True, choices=("full", "half", "int8"))
    p.add_argument("--out", help="folder to write (default: replace MODEL in place)")
    p.set_defaults(func=_cmd_convert)


def _cmd_convert(args: argparse.Namespace) -> int:
    """Rewrite model.onnx (and config.json's store_precision) in a copy of the folder, moved
    into place whole: a failure leaves the old folder as it was; other files are kept."""
    import shutil

    from kord_engine.atomic import atomic_directory
    from kord_engine.audio.listen.model.artifact import CONFIG_FILE, MODEL_FILE, read_artifact
    from kord_engine.ml.progress import require

    require("onnx")
    from kord_engine.ml.export import convert_store_precision

    source = Path(args.model)
    artifact = read_artifact(source)  # a clear ModelError for a broken folder
    data = convert_store_precision(artifact.onnx_bytes, args.store_precision)
    config = {**artifact.config, "store_precision": args.store_precision}
    if isinstance(config.get("train_config"), dict):
        config["train_config"] = {**config["train_config"], "store_precision": args.store_precision}

    def fill(tmp: Path) -> None:
        tmp.chmod(0o755)
        for item in source.iterdir():
            if item.is_file() and item.name not in (MODEL_FILE, CONFIG_FILE):
                shutil.copy2(item, tmp / item.name)
        (tmp / MODEL_FILE).write_bytes(data)
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")

    target = atomic_directory(Path(args.out) if args.out else source, fill)
    print(
        f"{target}: weights stored as {args.store_precision} "
        f"({len(artifact.onnx_bytes) / 1e6:.2f} → {len(data) / 1e6:.2f} MB)"
    )
    return 0


# ---------------------------------------------------------------- hpt


def _register_hpt(ml_sub: argparse._SubParsersAction) -> None:
    p = ml_sub.add_parser("hpt", help="hyper-parameter sweep (really trains each trial)")
    p.add_argument("--source", nargs="+", default=["sim"], metavar="SRC", help="default: sim")
    p.add_argument("--validation-source", nargs="*", default=[], metavar="SRC")
    p.add_argument("--noise-asset-root", default=None)
    p.add_argument("--trials", type=int, default=6, help="trials this process runs")
    p.add_argument(
        "--storage",
        default=None,
        help="Optuna storage URL shared by processes/machines, e.g. sqlite:///study.db "
        "(default: in memory)",
    )
    p.add_argument("--study", default=None, help="study name in --storage (joined if it exists)")
    p.add_argument("--no-prune", action="store_true", help="never prune trials after an epoch")
    p.add_argument(
        "--best-config",
        default=None,
        help="write the best trial's TrainConfig JSON here (for `kord ml train --config`)",
    )
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--simulation-size", type=int, default=8)
    p.add_argument("--lr", type=float, nargs="+", default=[3e-4, 1e-3, 3e-3])
    p.add_argument("--dropout", type=float, nargs="+", default=[0.1, 0.2, 0.3])
    p.add_argument("--width", type=int, nargs="+", default=[256, 1024])
    p.add_argument("--loader", nargs="+", default=["mel"])
    p.add_argument(
        "--precision",
        nargs="+",
        default=["supported"],
        choices=[*_CHOICES["precision"], "supported"],
        help="precisions to try (default: supported = every one the device can run)",
    )
    p.add_argument("--model", nargs="+", default=["kord"], choices=_CHOICES["model"])
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda or cuda:N")
    p.add_argument("--seed", type=int, default=0, help="the TPE sampler's seed")
    p.add_argument("--out", default="hpt_results.json", help="results JSON (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(func=_cmd_hpt)


def _hpt_precisions(asked: list[str], device: str) -> list[str]:
    """--precision values, with "supported" expanded to every precision `device` can run."""
    if "supported" not in asked:
        return list(asked)
    from kord_engine.ml.device import resolve_device
    from kord_engine.ml.precision import supported_precisions

    usable = supported_precisions(resolve_device(device))
    found = [name for name, (ok, _why) in usable.items() if ok]
    return list(dict.fromkeys([*(a for a in asked if a != "supported"), *found]))


def _cmd_hpt(args: argparse.Namespace) -> int:
    from kord_engine.atomic import atomic_write_text
    from kord_engine.ml.config import TrainConfig, is_device_name, known_loaders
    from kord_engine.ml.hpt import SearchSpace, best_config, format_table, run_hpt

    if args.trials < 1 or args.epochs < 1:
        raise KordError("--trials and --epochs must be at least 1")
    if not is_device_name(args.device):
        raise KordError(f"device {args.device!r} is unknown; choose auto, cpu, cuda or cuda:N")
    bad = [name for name in args.loader if name not in known_loaders()]
    if bad:
        raise KordError(f"unknown loader(s) {bad}; choose from {list(known_loaders())}")
    base = TrainConfig(
        training_sources=list(args.source),
        validation_sources=list(args.validation_source),
        noise_asset_root=args.noise_asset_root,
        epochs=args.epochs,
        simulation_size=args.simulation_size,
        device=args.device,
        store_precision="full",
    )
    precisions = _hpt_precisions(args.precision, args.device)
    space = SearchSpace(args.lr, args.dropout, args.width, args.loader, precisions, args.model)

    def show(result) -> None:
        if not args.quiet and not args.json:
            status = f"error: {result.error}" if result.error else f"exact {result.val_exact:.1%}"
            from tqdm import tqdm

            tqdm.write(f"trial {result.trial}: {result.params} → {status}", file=sys.stderr)

    from kord_engine.ml.progress import counter_bar

    quiet = args.quiet or args.json
    trials_bar = None if quiet else counter_bar(args.trials, "trials", "trial")

    def tick(result) -> None:
        if trials_bar is not None:
            trials_bar.update(1)
        show(result)

    try:
        results = run_hpt(
            base,
            space,
            args.trials,
            args.seed,
            tick,
            storage=args.storage,
            study_name=args.study,
            prune=not args.no_prune,
        )
    finally:
        if trials_bar is not None:
            trials_bar.close()
    payload = {
        "base": base.to_dict(),
        "results": [dataclasses.asdict(r) for r in results],
        "best": dataclasses.asdict(results[0]) if results else None,
    }
    best = best_config(base, results)
    if args.best_config and best is not None:
        atomic_write_text(args.best_config, best.to_json() + "\n")
        payload["best_config"] = str(args.best_config)
    atomic_write_text(args.out, json.dumps(payload, indent=2) + "\n")
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        print(format_table(results))
        print(f"results saved to {args.out}")
        if "best_config" in payload:
            print(f"best config saved to {args.best_config} (kord ml train --config …)")
    return 0
