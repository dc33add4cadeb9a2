"""PyInstaller entry point of the Linux bundle's one executable: `kord-desktop`, with `kord` a
symlink to it, runs the GUI or the CLI by the name it was started as (argv[0]). One executable
instead of two saves the second copy of the ~7 MB Python archive each PyInstaller EXE embeds."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if name == "kord" or name.startswith("kord."):
        from kord_engine.cli import main
    else:
        from kord_desktop.app import main

    sys.exit(main())
