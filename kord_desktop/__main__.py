"""`python -m kord_desktop` starts the app."""

import sys

from kord_desktop.app import main

sys.exit(main())
