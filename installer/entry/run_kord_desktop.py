"""PyInstaller entry point of the frozen `kord-desktop` app (same as the gui script)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from kord_desktop.app import main

    sys.exit(main())
