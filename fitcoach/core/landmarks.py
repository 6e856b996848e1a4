"""MediaPipe's 33 pose landmarks and landmark recording v1 (`fitcoach.landmarks/1`).

A landmark recording lets testers and tests replay a session without running the pose model.
It is a numpy ``.npz`` archive, always loaded with ``allow_pickle=False``:

=============  ==========================  ===================================================
key            dtype / shape               meaning
=============  ==========================  ===================================================
schema         str (0-d unicode array)     exactly ``fitcoach.landmarks/1``
t_s            float64 ``(T,)``            seconds, strictly increasing
image_xyzv     float32 ``(T, 33, 4)``      x, y normalised to [0, 1] by frame width/height,
                                           MediaPipe's relative z, visibility in [0, 1];
                                           a row of NaN where nobody is seen
world_xyz_m    float32 ``(T, 33, 3)``      optional; MediaPipe world landmarks in metres,
                                           hip-centred; NaN where absent
frame_size     int32 ``(2,)``              width, height in pixels
=============  ==========================  ===================================================

Unknown keys are rejected so that a typo never silently drops data.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fitcoach.core.errors import RecordingError

SCHEMA = "fitcoach.landmarks/1"
N_LANDMARKS = 33

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# Bones drawn in overlays: pairs of landmark indices.
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
    (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 7), (0, 8), (7, 11), (8, 12),
)  # fmt: skip

_REQUIRED = {"schema", "t_s", "image_xyzv", "frame_size"}
_OPTIONAL = {"world_xyz_m"}


@dataclass(frozen=True, slots=True)
class LandmarkRecording:
    """An in-memory landmark recording (see the module docstring for the layout)."""

    t_s: np.ndarray  # float64 (T,)
    image_xyzv: np.ndarray  # float32 (T, 33, 4)
    world_xyz_m: np.ndarray | None  # float32 (T, 33, 3) or None
    frame_size: tuple[int, int]  # width, height

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if len(self) else 0.0


def validate_arrays(
    t_s: np.ndarray,
    image_xyzv: np.ndarray,
    world_xyz_m: np.ndarray | None,
    frame_size: np.ndarray | tuple[int, int],
    where: str = "recording",
) -> None:
    """Raise RecordingError naming the field and frame when the arrays break format v1."""
    if t_s.dtype != np.float64 or t_s.ndim != 1:
        raise RecordingError(f"{where}: t_s must be float64 (T,), got {t_s.dtype} {t_s.shape}")
    n = t_s.shape[0]
    if n == 0:
        raise RecordingError(f"{where}: t_s is empty (no frames)")
    if not np.all(np.isfinite(t_s)):
        bad = int(np.flatnonzero(~np.isfinite(t_s))[0])
        raise RecordingError(f"{where}: t_s is not finite at frame {bad}")
    d = np.diff(t_s)
    if np.any(d <= 0):
        bad = int(np.flatnonzero(d <= 0)[0]) + 1
        raise RecordingError(
            f"{where}: t_s must be strictly increasing; frame {bad} has t={t_s[bad]:.6f} s "
            f"after t={t_s[bad - 1]:.6f} s"
        )
    if image_xyzv.dtype != np.float32 or image_xyzv.shape != (n, N_LANDMARKS, 4):
        raise RecordingError(
            f"{where}: image_xyzv must be float32 ({n}, 33, 4), "
            f"got {image_xyzv.dtype} {image_xyzv.shape}"
        )
    vis = image_xyzv[..., 3]
    finite_vis = vis[np.isfinite(vis)]
    if finite_vis.size and (finite_vis.min() < 0 or finite_vis.max() > 1):
        raise RecordingError(f"{where}: image_xyzv visibility (channel 3) must lie in [0, 1]")
    if world_xyz_m is not None and (
        world_xyz_m.dtype != np.float32 or world_xyz_m.shape != (n, N_LANDMARKS, 3)
    ):
        raise RecordingError(
            f"{where}: world_xyz_m must be float32 ({n}, 33, 3), "
            f"got {world_xyz_m.dtype} {world_xyz_m.shape}"
        )
    fs = np.asarray(frame_size)
    if fs.shape != (2,) or np.any(fs <= 0):
        raise RecordingError(f"{where}: frame_size must be two positive ints (width, height)")


def save_recording(path: str | Path, rec: LandmarkRecording) -> None:
    """Write `rec` as landmark recording v1. Deterministic bytes for the same content."""
    validate_arrays(rec.t_s, rec.image_xyzv, rec.world_xyz_m, rec.frame_size, str(path))
    arrays: dict[str, np.ndarray] = {
        "schema": np.array(SCHEMA),
        "t_s": rec.t_s,
        "image_xyzv": rec.image_xyzv,
        "frame_size": np.asarray(rec.frame_size, dtype=np.int32),
    }
    if rec.world_xyz_m is not None:
        arrays["world_xyz_m"] = rec.world_xyz_m
    # np.savez stamps the current time into the zip; write entries ourselves with a fixed
    # date so the same recording always gives the same bytes.
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(arrays[key], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def load_recording(path: str | Path) -> LandmarkRecording:
    """Load and validate a landmark recording; errors name the file and the field."""
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise RecordingError(f"{where}: no such file")
    if not zipfile.is_zipfile(path):
        raise RecordingError(f"{where}: not a readable .npz file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = set(npz.files)
            unknown = keys - _REQUIRED - _OPTIONAL
            if unknown:
                raise RecordingError(
                    f"{where}: unknown key(s) {sorted(unknown)}; allowed: "
                    f"{sorted(_REQUIRED | _OPTIONAL)}"
                )
            missing = _REQUIRED - keys
            if missing:
                raise RecordingError(f"{where}: missing key(s) {sorted(missing)}")
            schema = npz["schema"]
            t_s = npz["t_s"]
            image = npz["image_xyzv"]
            world = npz["world_xyz_m"] if "world_xyz_m" in keys else None
            frame_size = npz["frame_size"]
    except RecordingError:
        raise
    except ValueError as exc:  # object arrays need pickle: refused
        raise RecordingError(f"{where}: not a valid landmark recording ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise RecordingError(f"{where}: not a readable .npz file ({exc})") from None
    if schema.dtype.kind != "U" or schema.shape != () or str(schema) != SCHEMA:
        raise RecordingError(f"{where}: schema must be the string {SCHEMA!r}, got {schema!r}")
    if frame_size.dtype != np.int32:
        raise RecordingError(f"{where}: frame_size must be int32 (2,), got {frame_size.dtype}")
    validate_arrays(t_s, image, world, frame_size, where)
    return LandmarkRecording(
        t_s=t_s,
        image_xyzv=image,
        world_xyz_m=world,
        frame_size=(int(frame_size[0]), int(frame_size[1])),
    )
