"""PyInstaller entry point of the frozen `kord` command (same as the `kord` console script)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from kord_engine.cli import main

    sys.exit(main())
