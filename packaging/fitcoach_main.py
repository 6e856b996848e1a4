"""Entry point of the bundled app (PyInstaller runs this file as the program)."""

import sys

from fitcoach.cli import main

if __name__ == "__main__":
    sys.exit(main())
