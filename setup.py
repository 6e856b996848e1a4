"""Build hook: put the top-level `models/` and `exercises/` (and the app icon) inside the wheel.

Everything else about the project is in pyproject.toml; this file only adds one step to
setuptools' `build_py`. Why a hook rather than a declarative mapping:

- `models/` and `exercises/` stay at the top of the repository (the layout is part of the
  design: a physiotherapist edits `exercises/`, a model rebuild writes `models/`), but a wheel
  can only carry files inside its packages. `[tool.setuptools.data-files]` would scatter them
  into `<prefix>/share/...`, where no code can find them reliably.
- A `package-dir` mapping (`fitcoach._shipped.models` -> `models`) would make them namespace
  packages: every package would then have to be listed by hand instead of found, and the
  editable install's import finder cannot find a namespace package below a regular one:
  `files("fitcoach._shipped.models")` fails there with "No module named 'fitcoach._shipped'"
  (tried with setuptools 84.2.1).
- The hook keeps `packages.find`, leaves editable installs as they were (they read the checkout's
  own folders, see fitcoach/core/resources.py) and copies the files at build time to
  `fitcoach/_shipped/{models,exercises,icons}/`, where resources.py finds them with
  `importlib.resources.files("fitcoach")`.

The sdist carries the source folders (MANIFEST.in), so sdist -> wheel runs the same copy.
tests/test_packaging.py builds a wheel and checks its file list; .ci/run installs it.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
TARGET = Path("fitcoach", "_shipped")  # inside the package; resources.SHIPPED names the same folder
ICON = Path("packaging", "linux", "org.fitcoach.FitCoach.svg")


def shipped_files() -> dict[Path, Path]:
    """Source file (relative to the project root) -> its place in the package. The same
    selection as the desktop bundle (packaging/fitcoach.spec): the model files, their cards and
    manifest; every exercise file and the exercise schema; the SVG icon."""
    files: dict[Path, Path] = {}
    for p in sorted((ROOT / "models").iterdir()):
        if p.is_file() and p.suffix in (".task", ".onnx", ".npz", ".toml", ".md"):
            files[p.relative_to(ROOT)] = TARGET / "models" / p.name
    for p in [*sorted((ROOT / "exercises").glob("*.toml")), ROOT / "exercises" / "README.md"]:
        files[p.relative_to(ROOT)] = TARGET / "exercises" / p.name
    files[ICON] = TARGET / "icons" / ICON.name
    return files


def check_complete(files: dict[Path, Path]) -> None:
    """Refuse to build a wheel that would fail `fitcoach models verify`: every model the manifest
    does not mark optional, and at least one exercise, must be there."""
    manifest = ROOT / "models" / "manifest.toml"
    if not manifest.is_file():
        raise SetupError(f"{manifest}: model manifest missing; cannot build a working wheel")
    for m in tomllib.loads(manifest.read_text(encoding="utf-8")).get("model", []):
        if not m.get("optional") and Path("models", m["file"]) not in files:
            raise SetupError(f"{manifest}: model file {m['file']} is listed but missing from models/")
    if not any(src.suffix == ".toml" and src.parts[0] == "exercises" for src in files):
        raise SetupError(f"{ROOT / 'exercises'}: no exercise files")


class build_py_with_shipped_files(build_py):
    """setuptools' build_py, plus the copy of the shipped files into the build folder."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's folders in place
            return
        files = shipped_files()
        check_complete(files)
        # start clean: an in-tree build/ may still hold a file deleted from models/ since
        shutil.rmtree(Path(self.build_lib, TARGET), ignore_errors=True)
        for src, dest in files.items():
            out = Path(self.build_lib, dest)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / src, out)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs += [str(Path(self.build_lib, dest)) for dest in shipped_files().values()]
        return outputs


setup(cmdclass={"build_py": build_py_with_shipped_files})
