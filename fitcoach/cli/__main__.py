"""`python -m fitcoach.cli`, as `python -m fitcoach` (and as the old single-module cli.py ran)."""

import os

from fitcoach.cli import main

os.environ.setdefault("GLOG_minloglevel", "2")
raise SystemExit(main())
