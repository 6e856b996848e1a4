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
them, as long as they are a few (at most 5 % of the frames); see `_drop_impossible_frames`.
"""

from __future__ import annotations

import io
import math
import struct
import tokenize
import zipfile
import zlib
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

# --- limits (documented in the module docstring) -------------------------------------------
MAX_FRAMES = 3 * 3600 * 60  # three hours at 60 fps
MAX_ABS_T_S = 1e7  # seconds (~116 days) either side of zero
MAX_FRAME_SIDE = 8192  # pixels
IMAGE_XY_BAND = (-10.0, 11.0)  # normalised image x, y (frame widths / heights)
IMAGE_Z_MAX = 100.0  # |relative z|, same scale as x
WORLD_MAX_M = 10.0  # |world coordinate| in metres (hip-centred: a body is ~1 m either side)
MAX_BAD_FRAME_FRACTION = 0.05  # more frames with impossible coordinates than this: an error
_MAX_SCHEMA_CHARS = 64
_MAX_MEMBERS = 16
_MAX_HEADER_BYTES = 10_000  # an .npy header of ours is ~120 bytes; numpy's own default cap
_DEFLATE_MAX_RATIO = 1032  # deflate cannot expand a byte more than this (zlib's documented limit)
# element sizes per frame: t_s + image_xyzv + world_xyz_m, plus slack for headers and zip entries
MAX_FILE_BYTES = MAX_FRAMES * (8 + N_LANDMARKS * 4 * 4 + N_LANDMARKS * 3 * 4) + (1 << 20)


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
    # Health data: written 0600 whatever the umask, atomically (fitcoach.core.private_files).
    from fitcoach.core.private_files import open_private

    path = Path(path)
    with open_private(path, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(arrays[key], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def load_recording(path: str | Path) -> LandmarkRecording:
    """Load and validate a landmark recording; errors name the file, the key and the frame.

    Bounded cost whatever the file holds: the zip directory and every array's header are
    checked (see the module docstring's limits) before anything is allocated, so a header that
    claims 10^8 frames is refused in microseconds instead of allocating 49 GiB.
    """
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise RecordingError(f"{where}: no such file")
    if not path.is_file():
        raise RecordingError(f"{where}: not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RecordingError(
            f"{where}: {size} bytes is larger than any recording can be "
            f"({MAX_FILE_BYTES} bytes: {MAX_FRAMES} frames, 3 h at 60 fps)"
        )
    key = None  # the member being read, for error messages
    try:
        with open(path, "rb") as fh:
            _check_zip_directory(fh, size, where)
            with zipfile.ZipFile(fh) as zf:
                members = _members(zf, size, where)
                headers = {}
                for key, info in members.items():
                    headers[key] = _read_header(zf, info, where, key)
                key = None
                _check_headers(headers, members, where)
                arrays: dict[str, np.ndarray] = {}
                for key, info in members.items():
                    with zf.open(info) as fp:
                        arrays[key] = np.lib.format.read_array(
                            fp, allow_pickle=False, max_header_size=_MAX_HEADER_BYTES
                        )
    except RecordingError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError,
            RuntimeError, struct.error, UnicodeDecodeError, SyntaxError, tokenize.TokenError) as exc:
        # damaged compressed data (zlib.error), a bad CRC (BadZipFile), a short member (EOFError)
        what = f" ({key})" if key else ""
        problem = "damaged compressed data: " if isinstance(exc, zlib.error) else ""
        raise RecordingError(f"{where}: not a readable .npz file{what}: {problem}{_one_line(exc)}") from None
    t_s, image, frame_size = arrays["t_s"], arrays["image_xyzv"], arrays["frame_size"]
    world = arrays.get("world_xyz_m")
    if str(arrays["schema"]) != SCHEMA:
        raise RecordingError(f"{where}: schema must be the string {SCHEMA!r}, got {str(arrays['schema'])[:80]!r}")
    validate_arrays(t_s, image, world, frame_size, where)
    image, world, warnings = _drop_impossible_frames(image, world, where)
    return LandmarkRecording(
        t_s=t_s,
        image_xyzv=image,
        world_xyz_m=world,
        frame_size=(int(frame_size[0]), int(frame_size[1])),
        warnings=warnings,
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


_ZIP_END = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def _check_zip_directory(fh, size: int, where: str) -> None:
    """Refuse an archive whose central directory is bigger than a recording's, before zipfile
    parses it: zipfile builds one object per entry, so a file of millions of empty entries
    would cost gigabytes. The end record is found the way zipfile finds it (at the very end,
    else the last signature within the 64 KiB a comment may take)."""
    tail_len = min(size, 22 + 65536)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    if tail[-22:-18] == _ZIP_END and tail[-2:] == b"\0\0":
        pos = tail_len - 22
    else:
        pos = tail.rfind(_ZIP_END)
    if pos < 0 or pos + 22 > tail_len:
        raise RecordingError(f"{where}: not a readable .npz file (not a zip archive)")
    entries, cd_size = struct.unpack_from("<HL", tail, pos + 10)
    locator = size - tail_len + pos - 20
    if locator >= 0:
        fh.seek(locator)
        if fh.read(4) == _ZIP64_LOCATOR:  # only archives above 4 GB or 65535 entries need zip64
            raise RecordingError(f"{where}: not a landmark recording (a zip64 archive, larger than any recording)")
    if entries > _MAX_MEMBERS or cd_size > _MAX_MEMBERS * 1024:
        raise RecordingError(
            f"{where}: not a landmark recording: its zip directory lists {entries} entries "
            f"({cd_size} bytes); a recording has at most {len(_REQUIRED | _OPTIONAL)}"
        )


def _members(zf: zipfile.ZipFile, size: int, where: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by key, each checked for a name we know and plausible sizes."""
    members: dict[str, zipfile.ZipInfo] = {}
    unknown = []
    for info in zf.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if key not in _REQUIRED | _OPTIONAL:
            unknown.append(key)
            continue
        if key in members:
            raise RecordingError(f"{where}: key {key!r} appears twice in the archive")
        if info.flag_bits & 0x1:
            raise RecordingError(f"{where}: {key} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RecordingError(
                f"{where}: {key} uses zip compression method {info.compress_type}; "
                f"recordings are stored or deflated (np.savez, np.savez_compressed)"
            )
        # The directory's sizes must be physically possible: nothing longer than the file,
        # and no more output than deflate can make from the compressed bytes.
        most = info.compress_size if info.compress_type == zipfile.ZIP_STORED \
            else info.compress_size * _DEFLATE_MAX_RATIO + 64
        if info.compress_size > size or info.file_size > most:
            raise RecordingError(
                f"{where}: {key}: the zip directory claims {info.file_size} bytes from "
                f"{info.compress_size} compressed bytes in a {size}-byte file (damaged archive)"
            )
        members[key] = info
    if unknown:
        shown = sorted(k[:40] for k in unknown)[:5]
        raise RecordingError(
            f"{where}: unknown key(s) {shown}; allowed: {sorted(_REQUIRED | _OPTIONAL)}"
        )
    missing = _REQUIRED - set(members)
    if missing:
        raise RecordingError(f"{where}: missing key(s) {sorted(missing)}")
    return members


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, key: str):
    """(shape, dtype, offset of the data) from a member's .npy header; reads ~130 bytes."""
    fmt = np.lib.format
    try:
        with zf.open(info) as fp:
            version = fmt.read_magic(fp)
            if version == (1, 0):
                shape, _fortran, dtype = fmt.read_array_header_1_0(fp, max_header_size=_MAX_HEADER_BYTES)
            elif version == (2, 0):
                shape, _fortran, dtype = fmt.read_array_header_2_0(fp, max_header_size=_MAX_HEADER_BYTES)
            else:
                raise ValueError(f".npy format version {version} is not supported")
            return shape, dtype, fp.tell()
    except (ValueError, SyntaxError, tokenize.TokenError) as exc:
        # bad magic, unparsable or oversized header (numpy's parser may raise SyntaxError or
        # TokenError on a damaged header); zip errors: the caller
        raise RecordingError(f"{where}: {key}: not a valid .npy array header ({_one_line(exc)})") from None


def _check_headers(headers: dict, members: dict[str, zipfile.ZipInfo], where: str) -> None:
    """Every dtype and shape against format v1, the frame cap and the member's real size."""
    for key, (shape, dtype, _at) in headers.items():
        if dtype.hasobject:
            raise RecordingError(
                f"{where}: not a valid landmark recording ({key} holds Python objects, "
                f"which are never loaded: they would need pickle)"
            )
    shape, dtype, _ = headers["schema"]
    if dtype.kind != "U" or not dtype.isnative or dtype.itemsize > 4 * _MAX_SCHEMA_CHARS or shape != ():
        raise RecordingError(f"{where}: schema must be the string {SCHEMA!r}, got {dtype} {shape}")
    shape, dtype, _ = headers["frame_size"]
    if dtype != np.dtype(np.int32) or shape != (2,):
        raise RecordingError(f"{where}: frame_size must be int32 (2,), got {dtype} {shape}")
    shape, dtype, _ = headers["t_s"]
    if dtype != np.dtype(np.float64) or len(shape) != 1:
        raise RecordingError(f"{where}: t_s must be float64 (T,), got {dtype} {shape}")
    n = shape[0]
    if n <= 0:  # a header may even say -5
        raise RecordingError(f"{where}: t_s is empty (no frames)")
    if n > MAX_FRAMES:
        raise RecordingError(f"{where}: t_s claims {n} frames; at most {MAX_FRAMES} (3 h at 60 fps)")
    for key, channels in (("image_xyzv", 4), ("world_xyz_m", 3)):
        if key in headers:
            shape, dtype, _ = headers[key]
            if dtype != np.dtype(np.float32) or shape != (n, N_LANDMARKS, channels):
                raise RecordingError(
                    f"{where}: {key} must be float32 ({n}, 33, {channels}), got {dtype} {shape}"
                )
    for key, (shape, dtype, at) in headers.items():
        nbytes = math.prod(shape) * dtype.itemsize
        held = members[key].file_size - at
        if held != nbytes:
            raise RecordingError(
                f"{where}: {key}: the header says {dtype} {shape} ({nbytes} bytes) but the "
                f"archive holds {held} bytes of data ({'truncated' if held < nbytes else 'extra bytes'})"
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


def _drop_impossible_frames(
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
