"""Where the files that ship with FitCoach are: a source checkout or a frozen desktop bundle.

One place answers "where is `models/`, `exercises/`, `fitcoach/data/`?" for every module:

- from a checkout (or an editable install), the folder above the `fitcoach` package holds
  `models/` and `exercises/`, and the package holds `data/`;
- in the PyInstaller bundle (`packaging/fitcoach.spec`), `sys.frozen` is set and `sys._MEIPASS`
  is the bundle's internal folder, where the spec puts `models/`, `exercises/` and
  `fitcoach/data/`. Frozen code has no real `__file__` tree to walk, so it must not be guessed
  from `__file__`.

No Qt here: `fitcoach/core` stays usable without the GUI.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # fitcoach/ (the package, not frozen)


def is_frozen() -> bool:
    """True when running from a frozen bundle (PyInstaller sets `sys.frozen`)."""
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Path | None:
    """The frozen bundle's data folder (`sys._MEIPASS`), or None when not frozen.

    PyInstaller always sets `_MEIPASS`; other freezers may not, and then the data sits next to
    the executable."""
    if not is_frozen():
        return None
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else Path(sys.executable).resolve().parent


def resource_root() -> Path:
    """The folder that holds `models/` and `exercises/` (and `fitcoach/data/`)."""
    return bundle_dir() or PACKAGE_DIR.parent


def data_dir() -> Path:
    """`fitcoach/data/`: cue phrases (en/ko), planner phrases, posture norms, ROM tests."""
    root = bundle_dir()
    return root / "fitcoach" / "data" if root else PACKAGE_DIR / "data"


def data_file(name: str) -> Path:
    return data_dir() / name


def _first_existing(candidates: tuple[Path, ...], exists) -> Path:
    for candidate in candidates:
        if exists(candidate):
            return candidate
    return candidates[0]


def models_dir() -> Path:
    """`models/`: the bundled copy when frozen; else the checkout's, or a copy in the package."""
    root = bundle_dir()
    if root:
        return root / "models"
    return _first_existing((PACKAGE_DIR.parent / "models", PACKAGE_DIR / "data" / "models"),
                           lambda p: (p / "manifest.toml").exists())


def exercises_dir() -> Path:
    """`exercises/`: the bundled copy when frozen; else the checkout's, or a copy in the package."""
    root = bundle_dir()
    if root:
        return root / "exercises"
    return _first_existing((PACKAGE_DIR.parent / "exercises", PACKAGE_DIR / "data" / "exercises"),
                           Path.is_dir)


def app_icon() -> Path | None:
    """The app's SVG icon: in the bundle (`share/icons/`) or the checkout's `packaging/linux/`."""
    name = "org.fitcoach.FitCoach.svg"
    root = bundle_dir()
    path = root / "share" / "icons" / name if root else PACKAGE_DIR.parent / "packaging" / "linux" / name
    return path if path.exists() else None
