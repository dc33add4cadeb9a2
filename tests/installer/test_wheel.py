"""`python -m build` makes an sdist and a wheel that carry the resources and both commands.

The wheel goes into a fresh venv with `pip install --no-index --no-deps`; its dependencies come
from the dev .venv through a .pth line, so the test needs no network and takes seconds. A copy of
the source tree is built, so the checkout's build/ and egg-info stay untouched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.installer.helpers import ROOT, clean_env, run_checked

pytestmark = [pytest.mark.installer, pytest.mark.slow]

SHIPPED = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in")
PACKAGES = ("kord_engine", "kord_desktop", "resources")


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("build")
    src = tmp_path_factory.mktemp("src")
    for name in SHIPPED:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--skip-dependency-check",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel, _ = dists
    where = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    site = next((where / "lib").glob("python*/site-packages"))
    # Dependencies (numpy, PySide6, onnxruntime, ...) from the dev venv; kord itself from the wheel.
    (site / "zz_kord_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(where / "bin" / "python"), "install",
         "--no-index", "--no-deps", "--disable-pip-version-check", "-q", str(wheel)],
        check=True, timeout=300,
    )  # fmt: skip
    return where


def _names(archive: Path) -> set[str]:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            return set(zf.namelist())
    with tarfile.open(archive) as tf:
        return {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}


def _shipped_resources() -> list[str]:
    base = ROOT / "resources"
    return [
        str(p.relative_to(base))
        for sub in ("models", "icons")
        for p in (base / sub).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]


def test_wheel_and_sdist_carry_every_resource(dists):
    wheel, sdist = dists
    wheel_names, sdist_names = _names(wheel), _names(sdist)
    resources = _shipped_resources()
    assert resources, "resources/ holds no models or icons"
    for rel in resources:
        assert f"kord_resources/{rel}" in wheel_names, f"wheel lacks kord_resources/{rel}"
        assert f"resources/{rel}" in sdist_names, f"sdist lacks resources/{rel}"
    assert "kord_engine/cli/__init__.py" in wheel_names
    assert "kord_desktop/app.py" in wheel_names
    entry_points = next(n for n in wheel_names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(entry_points).decode()
    assert "kord = kord_engine.cli:main" in text
    assert "kord-desktop = kord_desktop.app:main" in text


def test_installed_wheel_brings_both_commands(venv: Path, tmp_path: Path):
    env = clean_env(tmp_path / "home")
    kord, kord_desktop = venv / "bin" / "kord", venv / "bin" / "kord-desktop"
    assert kord.is_file() and kord_desktop.is_file()
    proc = run_checked([kord, "--version"], env, tmp_path)
    assert proc.stdout.strip().startswith("kord ")
    proc = run_checked([kord, "describe", "Cmaj7"], env, tmp_path)
    assert proc.stdout.splitlines()[0] == "Cmaj7"
    proc = run_checked([kord_desktop, "--version"], env, tmp_path)
    assert proc.stdout.strip().startswith("kord-desktop ")


def test_installed_wheel_finds_its_resources(venv: Path, tmp_path: Path):
    env = clean_env(tmp_path / "home")
    code = (
        "from kord_engine.resources import default_model_dir, resources_dir;"
        "print(resources_dir()); print(default_model_dir())"
    )
    proc = run_checked([venv / "bin" / "python", "-c", code], env, tmp_path)
    res_dir, model_dir = (Path(line) for line in proc.stdout.splitlines())
    site = next((venv / "lib").glob("python*/site-packages"))
    assert res_dir == (site / "kord_resources").resolve()
    assert (res_dir / "icons" / "kord-desktop-256.png").is_file()
    source_model = ROOT / "resources" / "models" / "default"
    for path in source_model.glob("*"):
        assert (model_dir / path.name).is_file(), f"installed default model lacks {path.name}"
