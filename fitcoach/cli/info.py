"""`fitcoach --info` and `fitcoach models verify`: what is installed (versions, privacy
settings, model files and their hashes, cameras), for a bug report or a first check after
installing."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from fitcoach import __version__
from fitcoach.cli.common import CommandArgs
from fitcoach.core.errors import FitCoachError

LIBRARIES = ("numpy", "cv2", "mediapipe", "onnxruntime", "PySide6", "pyttsx3", "platformdirs")


def run_info() -> int:
    """Print the versions, the privacy settings, the model files, the providers and cameras."""
    _print_versions()
    from fitcoach.io.privacy import privacy_report

    print("\n".join(privacy_report()))
    _print_models()
    from fitcoach.io.sources import list_cameras

    cams = list_cameras()
    print(f"Cameras: {', '.join(cams) if cams else 'none found'}")
    return 0


def _print_versions() -> None:
    import platform

    print(f"FitCoach {__version__}")
    print(f"Python {platform.python_version()} on {platform.platform()}")
    if getattr(sys, "frozen", False):
        print(f"Installed as a bundle in {getattr(sys, '_MEIPASS', Path(sys.executable).parent)} (no Python needed)")
    else:
        print(f"Running from Python at {sys.executable}")
    for mod in LIBRARIES:
        try:
            m = __import__(mod)
            print(f"  {mod:<13} {getattr(m, '__version__', 'installed')}")
        except ImportError as exc:
            print(f"  {mod:<13} not installed ({exc})")
    try:
        import onnxruntime as ort

        print(f"ONNX Runtime providers: {', '.join(ort.get_available_providers())}")
    except ImportError:
        print("ONNX Runtime providers: onnxruntime not installed")


def _print_models() -> None:
    from fitcoach.core.models import models_dir, read_manifest, sha256_file

    folder = models_dir()
    print(f"Models in {folder}:")
    try:
        for e in read_manifest(folder):
            p = folder / e.file
            if p.exists():
                print(f"  {e.file:<30} {p.stat().st_size:>10} bytes  sha256 {sha256_file(p)}")
            else:
                print(f"  {e.file:<30} {'absent':>10}{'  (optional)' if e.info.get('optional') else ''}")
    except FitCoachError as exc:
        print(f"  {exc}")


@dataclass(frozen=True)
class ModelsArgs(CommandArgs):
    action: str  # "verify"


def run_models(args: ModelsArgs) -> int:
    """`models verify`: each model file against models/manifest.toml; exit 1 when one fails."""
    from fitcoach.core.models import verify_all

    results = verify_all()
    bad = 0
    for r in results:
        print(f"{r.status:<17} {r.file:<30} {r.detail}")
        bad += r.status in ("missing", "mismatch")
    print(f"{len(results) - bad} of {len(results)} model files verified" + (f", {bad} failed" if bad else ""))
    return 1 if bad else 0
