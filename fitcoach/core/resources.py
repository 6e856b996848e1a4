"""Where the files that ship with FitCoach are: an installed wheel, a checkout, or a desktop bundle.

One place answers "where is `models/`, `exercises/`, `fitcoach/data/`, the icon?" for every
module. Three ways FitCoach runs, each with its own layout:

- an installed wheel (`pip install`, `pipx install`): setup.py's build hook copies the
  repository's top-level `models/` and `exercises/` and the SVG icon into the package, as
  `fitcoach/_shipped/{models,exercises,icons}/`; found with `importlib.resources.files("fitcoach")`;
- a checkout, or an editable install of one: the folder above the `fitcoach` package holds
  `models/` and `exercises/` (and `packaging/linux/` the icon); that folder is the package's
  parent, again as `importlib.resources` reports it, and it is only taken when it really is a
  checkout (it has pyproject.toml), never a stray `site-packages/models/`;
- the PyInstaller bundle (`packaging/fitcoach.spec`): `sys.frozen` is set and `sys._MEIPASS` is
  the bundle's internal folder, where the spec puts `models/`, `exercises/`, `fitcoach/data/`
  and `share/icons/`.

`fitcoach/data/` (cue and planner phrases in en/ko, posture norms, ROM tests) is ordinary
package data in the first two cases. Installed packages are plain folders (wheels are unpacked),
so the paths returned here are real `Path`s that callers may open, glob and stat; FitCoach does
not run from a zip file.

No Qt here: `fitcoach/core` stays usable without the GUI.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

PACKAGE = "fitcoach"
SHIPPED = "_shipped"  # fitcoach/_shipped/: filled by setup.py's build hook, present in wheels only
ICON_NAME = "org.fitcoach.FitCoach.svg"


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


def package_dir() -> Path:
    """The `fitcoach` package's folder, as importlib.resources finds it."""
    return Path(str(files(PACKAGE)))


def installed_dir() -> Path:
    """`fitcoach/_shipped/`: the wheel's copy of `models/`, `exercises/` and the icon."""
    return Path(str(files(PACKAGE).joinpath(SHIPPED)))


def checkout_dir() -> Path | None:
    """The source checkout this package runs from (plain or editable), or None when installed."""
    root = package_dir().parent
    return root if (root / "pyproject.toml").is_file() else None


def _shipped(name: str, present) -> Path:
    """`name` (`models` or `exercises`): the installed copy if there is one, else the checkout's.

    With neither, the path where it should have been, so the error that follows names it."""
    installed = installed_dir() / name
    if present(installed):
        return installed
    checkout = checkout_dir()
    return checkout / name if checkout else installed


def resource_root() -> Path:
    """The folder that holds `models/` and `exercises/`: the bundle's, the wheel's
    `fitcoach/_shipped/` or the checkout."""
    return bundle_dir() or models_dir().parent


def data_dir() -> Path:
    """`fitcoach/data/`: cue phrases (en/ko), planner phrases, posture norms, ROM tests."""
    root = bundle_dir()
    return root / PACKAGE / "data" if root else Path(str(files(PACKAGE).joinpath("data")))


def i18n_dir() -> Path:
    """`fitcoach/i18n/`: the message catalogues, one `<lang>.toml` per language."""
    root = bundle_dir()
    return root / PACKAGE / "i18n" if root else Path(str(files(PACKAGE).joinpath("i18n")))


def data_file(name: str) -> Path:
    return data_dir() / name


def models_dir() -> Path:
    """`models/` with `manifest.toml`: the bundle's, the wheel's or the checkout's."""
    root = bundle_dir()
    if root:
        return root / "models"
    return _shipped("models", lambda p: (p / "manifest.toml").is_file())


def exercises_dir() -> Path:
    """`exercises/`: the bundle's, the wheel's or the checkout's."""
    root = bundle_dir()
    if root:
        return root / "exercises"
    return _shipped("exercises", Path.is_dir)


def app_icon() -> Path | None:
    """The app's SVG icon: the bundle's `share/icons/`, the wheel's `fitcoach/_shipped/icons/` or
    the checkout's `packaging/linux/`; None when it is not there."""
    root = bundle_dir()
    if root:
        candidates = [root / "share" / "icons" / ICON_NAME]
    else:
        checkout = checkout_dir()
        candidates = [installed_dir() / "icons" / ICON_NAME,
                      *([checkout / "packaging" / "linux" / ICON_NAME] if checkout else [])]
    return next((p for p in candidates if p.is_file()), None)
