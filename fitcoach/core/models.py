"""Model files that ship with the app, and their manifest (`models/manifest.toml`).

Nothing is ever downloaded: a model is a file next to the code, checked against the sha256
the manifest records. `fitcoach models verify` runs `verify_all`.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fitcoach.core import resources
from fitcoach.core.errors import FitCoachError

POSE_VARIANTS = ("lite", "full", "heavy")


def models_dir() -> Path:
    """`models/` of a checkout, or the bundled copy (see fitcoach/core/resources.py)."""
    return resources.models_dir()


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    file: str
    sha256: str | None
    size_bytes: int | None
    info: dict


def read_manifest(folder: Path | None = None) -> list[ModelEntry]:
    folder = folder or models_dir()
    path = folder / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FitCoachError(f"{path}: model manifest missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise FitCoachError(f"{path}: not valid TOML ({exc})") from None
    out = []
    for i, m in enumerate(data.get("model", [])):
        if "name" not in m or "file" not in m:
            raise FitCoachError(f"{path}: model[{i}] needs 'name' and 'file'")
        out.append(ModelEntry(m["name"], m["file"], m.get("sha256"), m.get("size_bytes"), m))
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    name: str
    file: str
    status: str  # "ok", "missing", "mismatch", "optional-missing"
    detail: str


def verify_all(folder: Path | None = None) -> list[VerifyResult]:
    folder = folder or models_dir()
    results = []
    for e in read_manifest(folder):
        p = folder / e.file
        optional = bool(e.info.get("optional", False))
        if not p.exists():
            status = "optional-missing" if optional else "missing"
            results.append(VerifyResult(e.name, e.file, status, str(p)))
            continue
        if e.sha256 is None:
            results.append(VerifyResult(e.name, e.file, "mismatch", "manifest has no sha256"))
            continue
        digest = sha256_file(p)
        size = p.stat().st_size
        if digest != e.sha256 or (e.size_bytes is not None and size != e.size_bytes):
            results.append(
                VerifyResult(e.name, e.file, "mismatch", f"sha256 {digest[:12]}…, size {size}")
            )
        else:
            results.append(VerifyResult(e.name, e.file, "ok", f"sha256 {digest[:12]}…, {size} bytes"))
    return results


def pose_model_path(variant: str = "full", folder: Path | None = None) -> Path:
    if variant not in POSE_VARIANTS:
        raise FitCoachError(f"unknown pose model {variant!r}; choose one of {', '.join(POSE_VARIANTS)}")
    folder = folder or models_dir()
    p = folder / f"pose_landmarker_{variant}.task"
    if not p.exists():
        hint = (
            " (the heavy model is optional: build it with `bash packaging/build_pose_models.sh --heavy`)"
            if variant == "heavy"
            else " (run `bash packaging/build_pose_models.sh` to rebuild the shipped models)"
        )
        raise FitCoachError(f"pose model {variant!r} not found at {p}{hint}")
    return p
