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

Limits (a recording is untrusted input: loading one costs bounded time and memory, and any
breach is one RecordingError naming the file, key and frame):

* at most ``MAX_FRAMES`` = 648 000 frames (three hours at 60 fps), so a recording holds at
  most ~600 MB of arrays; the file itself at most ``MAX_FILE_BYTES``;
* every array's ``.npy`` header (dtype, shape) is read and checked against this table, the
  frame cap and the zip member's sizes *before* any array is allocated; members must be stored
  or deflated, and at most 16 (the zip directory is checked before Python parses it);
* ``t_s`` within +-1e7 s; ``frame_size`` 1..8192 pixels a side;
* visibility in [0, 1] or NaN; image x, y within [-10, 11] frame widths/heights (MediaPipe
  reports landmarks somewhat outside the frame, never many frames away), z within +-100;
  world coordinates within +-10 m; NaN anywhere means "unknown".

Frames whose coordinates break those bands are treated as "nobody seen" with a warning naming
them, as long as they are a few (at most 5 % of the frames); see `drop_impossible_frames`.
"""

from __future__ import annotations

from dataclasses import dataclass

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

# --- limits (documented in the module docstring) -------------------------------------------
MAX_FRAMES = 3 * 3600 * 60  # three hours at 60 fps
MAX_ABS_T_S = 1e7  # seconds (~116 days) either side of zero
MAX_FRAME_SIDE = 8192  # pixels
IMAGE_XY_BAND = (-10.0, 11.0)  # normalised image x, y (frame widths / heights)
IMAGE_Z_MAX = 100.0  # |relative z|, same scale as x
WORLD_MAX_M = 10.0  # |world coordinate| in metres (hip-centred: a body is ~1 m either side)
MAX_BAD_FRAME_FRACTION = 0.05  # more frames with impossible coordinates than this: an error

@dataclass(frozen=True, slots=True)
class LandmarkRecording:
    """An in-memory landmark recording (see the module docstring for the layout)."""

    t_s: np.ndarray  # float64 (T,)
    image_xyzv: np.ndarray  # float32 (T, 33, 4)
    world_xyz_m: np.ndarray | None  # float32 (T, 33, 3) or None
    frame_size: tuple[int, int]  # width, height
    # what load_recording had to change (frames with impossible coordinates dropped), for the
    # analysis JSON's `warnings`
    warnings: tuple[str, ...] = ()

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
    if n > MAX_FRAMES:
        raise RecordingError(f"{where}: {n} frames; at most {MAX_FRAMES} (3 h at 60 fps)")
    if not np.all(np.isfinite(t_s)):
        bad = int(np.flatnonzero(~np.isfinite(t_s))[0])
        raise RecordingError(f"{where}: t_s is not finite at frame {bad}")
    if np.any(np.abs(t_s) > MAX_ABS_T_S):
        bad = int(np.flatnonzero(np.abs(t_s) > MAX_ABS_T_S)[0])
        raise RecordingError(f"{where}: t_s at frame {bad} is {t_s[bad]:g} s; must lie within ±{MAX_ABS_T_S:g} s")
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
    # Visibility is a probability: a value outside [0, 1] (infinity included) means the
    # channels are not what format v1 says (pixels, another layout), not one bad frame.
    vis = image_xyzv[..., 3]
    bad_vis = (vis < 0) | (vis > 1)  # False for NaN ("unknown"), True for +-inf
    if bad_vis.any():
        f, i = (int(v) for v in np.argwhere(bad_vis)[0])
        raise RecordingError(
            f"{where}: image_xyzv visibility (channel 3) must lie in [0, 1] or be NaN; "
            f"frame {f}, landmark {i} ({LANDMARK_NAMES[i]}) is {float(vis[f, i]):g}"
        )
    if world_xyz_m is not None and (
        world_xyz_m.dtype != np.float32 or world_xyz_m.shape != (n, N_LANDMARKS, 3)
    ):
        raise RecordingError(
            f"{where}: world_xyz_m must be float32 ({n}, 33, 3), "
            f"got {world_xyz_m.dtype} {world_xyz_m.shape}"
        )
    fs = np.asarray(frame_size)
    if fs.shape != (2,) or np.any(fs <= 0) or np.any(fs > MAX_FRAME_SIDE):
        raise RecordingError(
            f"{where}: frame_size must be two positive ints (width, height) up to {MAX_FRAME_SIDE}, "
            f"got {fs.tolist()}"
        )

_CHUNK = 8192  # frames per pass of the value checks

def _impossible(image: np.ndarray, world: np.ndarray | None) -> np.ndarray:
    """Per frame: any coordinate outside its band (NaN is never outside; infinity always is)."""
    lo, hi = IMAGE_XY_BAND
    xy = image[..., :2]
    bad = ((xy < lo) | (xy > hi)).any(axis=(1, 2)) | (np.abs(image[..., 2]) > IMAGE_Z_MAX).any(axis=1)
    if world is not None:
        bad |= (np.abs(world) > WORLD_MAX_M).any(axis=(1, 2))
    return bad

def drop_impossible_frames(
    image: np.ndarray, world: np.ndarray | None, where: str
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """Frames with coordinates no pose model produces become "nobody seen", with a warning.

    Why not always an error: a converter glitch or a damaged stretch can leave a few frames at
    1e30 or infinity while the rest of the recording is good; a video frame that cannot be
    decoded is skipped the same way, and a frame with nobody seen is what the pipeline already
    handles safely (a rep in progress is abandoned, never invented). The warning names the
    frames, so nothing is dropped silently.
    Why an error beyond a few (more than MAX_BAD_FRAME_FRACTION of the frames): then the file
    is not in the format (pixels instead of normalised coordinates, millimetres instead of
    metres), and dropping the frames would quietly analyse nothing.
    NaN is "unknown" everywhere and is left alone.
    """
    n = image.shape[0]
    lo, hi = IMAGE_XY_BAND
    bad = np.zeros(n, dtype=bool)
    for s in range(0, n, _CHUNK):  # in chunks: the masks of 3 h of frames would take ~300 MB
        bad[s:s + _CHUNK] = _impossible(image[s:s + _CHUNK], None if world is None else world[s:s + _CHUNK])
    frames = np.flatnonzero(bad)
    if frames.size == 0:
        return image, world, ()
    f = int(frames[0])
    # describe the first offending value (comparisons are False for NaN, True beyond +-inf)
    xy, z = image[f, :, :2], image[f, :, 2]
    bad_xy = (xy < lo) | (xy > hi)
    if bad_xy.any():
        i, c = (int(v) for v in np.argwhere(bad_xy)[0])
        what = f"image_xyzv {'xy'[c]} at frame {f}, landmark {i} ({LANDMARK_NAMES[i]}) is {float(xy[i, c]):g}"
        allowed = f"normalised image x, y must lie in [{lo:g}, {hi:g}]"
    elif (np.abs(z) > IMAGE_Z_MAX).any():
        i = int(np.flatnonzero(np.abs(z) > IMAGE_Z_MAX)[0])
        what = f"image_xyzv z at frame {f}, landmark {i} ({LANDMARK_NAMES[i]}) is {float(z[i]):g}"
        allowed = f"z must lie within ±{IMAGE_Z_MAX:g}"
    else:
        assert world is not None
        i, c = (int(v) for v in np.argwhere(np.abs(world[f]) > WORLD_MAX_M)[0])
        what = f"world_xyz_m {'xyz'[c]} at frame {f}, landmark {i} ({LANDMARK_NAMES[i]}) is {float(world[f, i, c]):g}"
        allowed = f"world coordinates must lie within ±{WORLD_MAX_M:g} m"
    most = max(1, int(MAX_BAD_FRAME_FRACTION * n))
    if frames.size > most:
        raise RecordingError(
            f"{where}: {what}: {allowed}; {frames.size} of {n} frames are like this "
            f"(more than {MAX_BAD_FRAME_FRACTION:.0%}), so the file is not in format v1"
        )
    image = image.copy()
    image[frames] = np.nan
    if world is not None:
        world = world.copy()
        world[frames] = np.nan
    listed = ", ".join(str(int(v)) for v in frames[:10]) + (f" and {frames.size - 10} more" if frames.size > 10 else "")
    return image, world, (
        f"{where}: frame{'s' if frames.size > 1 else ''} {listed} treated as nobody seen: "
        f"{what} ({allowed})",
    )
