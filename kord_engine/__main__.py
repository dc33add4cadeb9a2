import sys

from kord_engine.cli import main

sys.exit(main())
