"""Command line: `fitcoach [COMMAND]`.

With no command FitCoach opens the desktop app (on the built-in demo recording when there is
no camera). Without a display (a server, CI, an SSH session) it runs the same job in the
console: live coaching from the camera, or the demo recording (a synthetic exerciser), so a
new user sees counting work at once. Errors caused by input are one line on stderr and a non-zero exit; the
traceback only with --debug-log.

The package: `parser` (the options of every command), `common` (typed arguments and what the
commands share), and a module per command or group of commands, each a function taking a
frozen dataclass of its arguments and calling the services (`fitcoach.run`, `fitcoach.core`,
`fitcoach.reports`, `fitcoach.voice`, `fitcoach.train`).
"""

from __future__ import annotations

import logging
import os
import sys

from fitcoach.cli import app, info
from fitcoach.cli.common import EXIT_INPUT, dispatch
from fitcoach.cli.parser import build_parser
from fitcoach.core.errors import FitCoachError

log = logging.getLogger("fitcoach")


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s",
    )


def main(argv: list[str] | None = None) -> int:
    """Run `fitcoach ARGV` (default: the process's arguments); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug_log)
    if args.debug_log:
        os.environ["FITCOACH_NATIVE_LOG"] = "1"
    try:
        if args.info:
            return info.run_info()
        if not args.command:
            return app.run_default()
        return dispatch(args)
    except FitCoachError as exc:
        if args.debug_log:
            log.exception("failed")
        print(f"fitcoach: error: {' '.join(str(exc).split())}", file=sys.stderr)  # always one line
        return EXIT_INPUT
    except BrokenPipeError:  # `fitcoach exercises list | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        if args.debug_log:
            log.exception("failed")
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"fitcoach: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("fitcoach: interrupted", file=sys.stderr)
        return 130
