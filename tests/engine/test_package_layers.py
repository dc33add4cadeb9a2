"""One way between packages: kord_engine.ml (training) may use kord_engine.audio, never the
reverse; inside audio, listen (understanding sound) and sound (making it) may use input
(getting it in) but not each other, and input uses neither. The source tree is parsed, so
imports inside functions count as much as top-level ones."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kord_engine

ENGINE = Path(kord_engine.__file__).parent

#: (package whose modules are checked, package they must not import)
FORBIDDEN = [
    ("kord_engine.audio", "kord_engine.ml"),
    ("kord_engine.audio.input", "kord_engine.audio.listen"),
    ("kord_engine.audio.input", "kord_engine.audio.sound"),
    ("kord_engine.audio.listen", "kord_engine.audio.sound"),
    ("kord_engine.audio.sound", "kord_engine.audio.listen"),
]


def module_name(path: Path) -> str:
    """The dotted module name of a file under kord_engine/."""
    parts = list(path.relative_to(ENGINE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in `path`: top-level, lazy, relative, `from pkg import
    sub` (counted as pkg.sub) and import_module("…") / __import__("…") calls with a literal."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def violations(package: str, forbidden: str) -> list[str]:
    """`file:line imports module` for each import of `forbidden` from inside `package`."""
    folder = ENGINE.parent.joinpath(*package.split("."))
    found: dict[str, str] = {}  # one entry per import statement
    for path in sorted(folder.rglob("*.py")):
        for line, module in imported_modules(path):
            if module == forbidden or module.startswith(forbidden + "."):
                found.setdefault(f"{path.relative_to(ENGINE.parent)}:{line}", module)
    return [f"{where} imports {module}" for where, module in found.items()]


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN)
def test_imports_run_one_way(package, forbidden):
    assert violations(package, forbidden) == [], f"{package} must not depend on {forbidden}"


def test_the_checker_sees_lazy_relative_and_from_imports(tmp_path, monkeypatch):
    """The checker must be able to fail: it finds each form of import in a planted package."""
    root = tmp_path / "kord_engine"
    (root / "audio").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "audio" / "__init__.py").write_text("")
    (root / "audio" / "a.py").write_text(
        "def f():\n    from kord_engine.ml.infer import X\n"
        "from .. import ml\n"
        "from kord_engine import ml as m2\n"
        "import kord_engine.ml.train\n"
        "import importlib\nimportlib.import_module('kord_engine.ml.features')\n"
        "from kord_engine.mlx import fine\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ENGINE", root)
    found = violations("kord_engine.audio", "kord_engine.ml")
    lines = sorted(int(v.split(":")[1].split()[0]) for v in found)
    assert lines == [2, 3, 4, 5, 7], found


def test_ml_still_uses_audio():
    """The allowed direction is the real one (ml reads spectra through audio)."""
    assert violations("kord_engine.ml", "kord_engine.audio")
