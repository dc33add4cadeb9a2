"""The player .deb installs, its CLI and GUI run from the bundle, and it leaves no trace.

Building the bundle takes several minutes on CI's 2 cores, so this runs only with
KORD_INSTALLER_TESTS=1 (installer/test-installers.sh sets it). As root with dpkg it does a real
`dpkg -i` / `dpkg --purge`; otherwise it unpacks the package with `dpkg-deb -x` into a read-only
temporary root. A fresh build is reused; set KORD_INSTALLER_REBUILD=1 to force one.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.installer.helpers import ROOT, clean_env, run_checked, tree_snapshot

pytestmark = [
    pytest.mark.installer,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("KORD_INSTALLER_TESTS") != "1",
        reason="builds the .deb (minutes): run installer/test-installers.sh",
    ),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb"),
]

PACKAGE = "kord-desktop"
SOURCES = ("kord_engine", "kord_desktop", "resources", "installer/linux")


def _version() -> str:
    from kord_engine import __version__

    return __version__


def _deb_path() -> Path:
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return ROOT / "installer" / "dist" / f"{PACKAGE}_{_version()}_{arch}.deb"


def _newest_source_mtime() -> float:
    newest = (ROOT / "installer" / "kord-desktop.spec").stat().st_mtime
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


def _installed(package: str) -> bool:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return (
        proc.returncode == 0 and "installed" in proc.stdout and "not-installed" not in proc.stdout
    )


@dataclass
class Install:
    root: Path  # "/" for a dpkg install, else the unpacked temporary root
    app_dir: Path  # .../opt/kord-desktop
    kord: Path
    kord_desktop: Path
    via_dpkg: bool


@pytest.fixture(scope="module")
def player_deb() -> Path:
    deb = _deb_path()
    fresh = deb.is_file() and deb.stat().st_mtime >= _newest_source_mtime()
    if not fresh or os.environ.get("KORD_INSTALLER_REBUILD") == "1":
        env = dict(os.environ, KORD_LINUX_ARTEFACTS="deb")
        env.setdefault("KORD_DEB_COMPRESS", "zstd")  # same files, packed in seconds, not minutes
        subprocess.run(
            [str(ROOT / "installer" / "build-linux.sh"), "player"],
            env=env,
            check=True,
            timeout=1800,
        )
    assert deb.is_file(), f"build-linux.sh made no {deb}"
    return deb


@pytest.fixture(scope="module")
def install(player_deb: Path, tmp_path_factory: pytest.TempPathFactory):
    use_dpkg = (
        os.geteuid() == 0
        and shutil.which("dpkg") is not None
        and os.environ.get("KORD_INSTALLER_NO_ROOT") != "1"
        and not _installed(PACKAGE)
        and not _installed(f"{PACKAGE}-full")
    )
    if use_dpkg:
        proc = subprocess.run(["dpkg", "-i", str(player_deb)], capture_output=True, text=True)
        assert proc.returncode == 0, f"dpkg -i failed:\n{proc.stdout}\n{proc.stderr}"
        app = Path("/opt/kord-desktop")
        try:
            yield Install(
                Path("/"), app, Path("/usr/bin/kord"), Path("/usr/bin/kord-desktop"), True
            )
        finally:
            proc = subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, text=True)
            assert proc.returncode == 0, f"dpkg --purge failed:\n{proc.stdout}\n{proc.stderr}"
        assert not _installed(PACKAGE)
        assert not app.exists(), "dpkg --purge left /opt/kord-desktop behind"
        assert not Path("/usr/bin/kord-desktop").exists()
        assert not Path("/usr/share/applications/kord-desktop.desktop").exists()
    else:
        root = tmp_path_factory.mktemp("debroot")
        subprocess.run(["dpkg-deb", "-x", str(player_deb), str(root)], check=True)
        app = root / "opt" / "kord-desktop"
        _set_writable(root, False)  # the app must never write into its install folder
        try:
            yield Install(root, app, app / "kord", app / "kord-desktop", False)
        finally:
            _set_writable(root, True)


def _set_writable(folder: Path, writable: bool) -> None:
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames, "."]:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~bits)


@pytest.fixture
def user(tmp_path: Path) -> tuple[dict[str, str], Path]:
    home = tmp_path / "home"
    return clean_env(home), tmp_path


def run_app(install: Install, user, args: list[str], timeout: float = 120):
    """Run an installed command as a fresh user; the install folder must be unchanged after."""
    env, cwd = user
    before = tree_snapshot(install.app_dir)
    proc = run_checked(args, env, cwd, timeout)
    assert tree_snapshot(install.app_dir) == before, f"{args} wrote into {install.app_dir}"
    return proc


def test_control_file_names_the_system_libraries(player_deb: Path):
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(player_deb), "Package", "Depends", "Conflicts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Package: {PACKAGE}\n" in fields
    for lib in ("libportaudio2", "libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libc6"):
        assert lib in fields, f"Depends lacks {lib}: {fields}"
    assert "Conflicts: kord-desktop-full" in fields


def test_package_layout(install: Install):
    root = install.root
    assert os.access(install.kord, os.X_OK) and os.access(install.kord_desktop, os.X_OK)
    entry = root / "usr/share/applications/kord-desktop.desktop"
    text = entry.read_text()
    assert "Name=Kord\n" in text and "Exec=kord-desktop\n" in text
    categories = next(line for line in text.splitlines() if line.startswith("Categories="))
    assert {"AudioVideo", "Audio", "Music"} <= set(categories.split("=", 1)[1].split(";"))
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(entry)], check=True)
    for size in ("48x48", "256x256"):
        assert (root / f"usr/share/icons/hicolor/{size}/apps/kord-desktop.png").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/kord-desktop.svg").is_file()
    for wrapper in ("kord", "kord-desktop"):
        assert f"/opt/kord-desktop/{wrapper}" in (root / "usr/bin" / wrapper).read_text()


def test_bundle_ships_every_resource_and_no_torch(install: Install):
    bundled = install.app_dir / "_internal" / "resources"
    source = ROOT / "resources"
    for sub in ("models", "icons"):
        for path in (source / sub).rglob("*"):
            if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
                copy = bundled / path.relative_to(source)
                assert copy.is_file(), f"{copy} missing from the bundle"
                assert copy.read_bytes() == path.read_bytes()
    assert not (install.app_dir / "_internal" / "torch").exists(), "the player build holds torch"


def test_kord_version(install: Install, user):
    proc = run_app(install, user, [install.kord, "--version"])
    assert proc.stdout.strip() == f"kord {_version()}"


def test_kord_describe(install: Install, user):
    proc = run_app(install, user, [install.kord, "describe", "Cmaj7"])
    lines = proc.stdout.splitlines()
    assert lines[0] == "Cmaj7"
    assert "C, E, G, B" in proc.stdout


def test_kord_bad_input_is_one_line(install: Install, user):
    env, cwd = user
    proc = subprocess.run(
        [str(install.kord), "describe", "Xq#9"], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("kord: error:") and "Traceback" not in proc.stderr


def test_kord_analyze_file(install: Install, user, shared_dir: Path):
    wav = shared_dir / "data" / "audio" / "C7b9.wav"
    proc = run_app(install, user, [install.kord, "analyze", "file", wav])
    assert "C7♭9" in proc.stdout or "C7(♭9)" in proc.stdout  # lead-sheet or parenthesised


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-step model trained by the dev venv's engine, so inference is tested without a shipped one."""
    pytest.importorskip("torch")
    dest = tmp_path_factory.mktemp("model") / "tiny"
    subprocess.run(
        [sys.executable, "-m", "kord_engine", "-q", "ml", "train", "--training-sources", "sim",
         "--simulation-size", "1", "--epochs", "1", "--trunk-hidden-size", "16",
         "--destination", str(dest), "--no-progress"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return dest


def test_kord_ml_infer_runs_onnx_models(install: Install, user, shared_dir: Path, tiny_model):
    wav = shared_dir / "data" / "audio" / "C7b9.wav"
    proc = run_app(install, user, [install.kord, "ml", "infer", "file", "--model", tiny_model, wav])
    assert "confidence" in proc.stdout
    if (ROOT / "resources" / "models" / "default" / "model.onnx").is_file():
        proc = run_app(install, user, [install.kord, "ml", "infer", "file", wav])
        assert "confidence" in proc.stdout


def test_gui_starts_offscreen_and_keeps_settings_in_the_user_dir(install: Install, user):
    env, _ = user
    proc = run_app(install, user, [install.kord_desktop, "--offscreen-smoke"], timeout=90)
    assert "kord-desktop: main window up" in proc.stdout
    settings = list((Path(env["XDG_CONFIG_HOME"]) / "kord-desktop").glob("*"))
    assert settings, "the app kept no settings in the user's platformdirs config folder"


def test_trimmed_icu_data_changes_nothing_qt_computes(install: Install, tmp_path: Path):
    """The bundle's libicudata (installer/icu_data.py leaves out trees Qt never reads) gives the
    same collation, codecs, time-zone names, case mapping and rendered text as the full one."""
    pytest.importorskip("PySide6")
    bundled = sorted((install.app_dir / "_internal").rglob("libicudata.so.*"))
    assert bundled, "no libicudata in the bundle"
    script = Path(__file__).with_name("icu_check.py")
    env = clean_env(tmp_path / "home")

    def report(preload: str | None) -> list[str]:
        run_env = dict(env, **({"LD_PRELOAD": preload} if preload else {}))
        proc = run_checked([sys.executable, script], run_env, tmp_path, timeout=120)
        return proc.stdout.splitlines()

    full, trimmed = report(None), report(str(bundled[0]))
    assert str(bundled[0]) in trimmed[0], f"the preloaded ICU data was not used: {trimmed[0]}"
    assert len(full) > 100 and full[1:] == trimmed[1:]
