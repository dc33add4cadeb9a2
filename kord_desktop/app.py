"""Kord Desktop entry point: `kord-desktop [--offscreen-smoke] [--version]`."""

from __future__ import annotations

import argparse
import os
import sys
import time

from kord_engine import __version__

ORG_NAME = "Kord"
APP_NAME = "Kord Desktop"
DESKTOP_NAME = "kord-desktop"  # the .desktop file / icon name
SMOKE_MESSAGE = "kord-desktop: main window up"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kord-desktop", description=APP_NAME)
    parser.add_argument("--version", action="version", version=f"kord-desktop {__version__}")
    parser.add_argument(
        "--offscreen-smoke",
        action="store_true",
        help="start headless, wait for the main window, print a line and exit 0 (installer test)",
    )
    return parser.parse_known_args(argv)[0]


def app_icon():
    """The app icon from resources/icons (all PNG sizes plus the SVG)."""
    from PySide6.QtGui import QIcon

    from kord_engine.resources import resource_path

    icon = QIcon()
    icons = resource_path("icons")
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = icons / f"{DESKTOP_NAME}-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    svg = icons / f"{DESKTOP_NAME}.svg"
    if icon.isNull() and svg.is_file():
        icon.addFile(str(svg))
    return icon


def main(argv: list[str] | None = None) -> int:
    """Start the app; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    started = time.perf_counter()
    if args.offscreen_smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kord_desktop.main_window import MainWindow
    from kord_desktop.settings import Settings
    from kord_desktop.theme import apply_theme

    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(DESKTOP_NAME)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    settings = Settings()
    apply_theme(app, settings.get("view/theme"))
    app.setWindowIcon(app_icon())
    window = MainWindow(settings=settings)
    window.show()

    if args.offscreen_smoke:

        def check() -> None:
            if window.isVisible():
                ms = (time.perf_counter() - started) * 1000
                print(f"{SMOKE_MESSAGE} ({ms:.0f} ms)", flush=True)
                window.close()
                app.exit(0)
            else:
                QTimer.singleShot(10, check)

        QTimer.singleShot(0, check)
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
