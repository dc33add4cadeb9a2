"""Kord Desktop entry point (placeholder window until the desktop issue lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv if argv is None else argv)
    label = QLabel("Kord Desktop")
    label.resize(400, 200)
    label.show()
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
