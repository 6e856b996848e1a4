"""`fitcoach gui` and `fitcoach` alone: the desktop app when a window can be shown, else the
same job in the console — live coaching from the camera if there is one, else the built-in
demo. Only `fitcoach.gui` imports Qt; this module asks importlib whether PySide6 is there."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from fitcoach.cli.common import CommandArgs, dispatch


@dataclass(frozen=True)
class GuiArgs(CommandArgs):
    lang: str | None  # None: from the settings
    demo: bool | None  # None: the demo when there is no camera
    quit_after_show: bool  # start-up benchmark


def run_gui(args: GuiArgs) -> int:
    """Open the desktop app (`fitcoach.gui.app.main`)."""
    from fitcoach.gui.app import main as gui_main

    return gui_main([sys.argv[0]], lang=args.lang, demo=args.demo, quit_after_show=args.quit_after_show)


def display_available() -> bool:
    """Whether a window can be shown: Linux and other X11/Wayland systems need a display server;
    Windows and macOS always have one in a desktop session."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal"):
        return False  # a headless Qt setting: no one would see the window
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_default() -> int:
    """`fitcoach` alone: the desktop app; with no display, live coaching in the console from
    the camera if there is one, else the built-in demo."""
    from fitcoach.io.sources import list_cameras

    if display_available():
        import importlib.util

        if importlib.util.find_spec("PySide6") is None:  # only fitcoach.gui imports Qt
            print("The desktop app needs PySide6 (pip install PySide6-Essentials); running in the console.")
        else:
            return _run_as(["gui"])
    else:
        print("No display: running in the console (the desktop app opens when a display is available).")

    if list_cameras():
        return _run_as(["live", "--camera", "0", "-e", "squat"])
    print("No camera found: running the built-in demo recording instead.")
    return _run_as(["demo"])


def _run_as(argv: list[str]) -> int:
    """Run a subcommand with every option at its parser default (hand-made arguments miss the
    options added later: `fitcoach` alone once crashed on a missing `lang`)."""
    from fitcoach.cli.parser import build_parser  # the parser imports this module

    return dispatch(build_parser().parse_args(argv))
