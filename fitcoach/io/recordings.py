"""Reading and writing landmark recording v1 files (`fitcoach.landmarks/1`; the layout and the
limits are in `fitcoach.core.landmarks`).

A recording is untrusted input: the zip directory and every array's ``.npy`` header are checked
before anything is allocated, so loading costs bounded time and memory, and every problem is one
`RecordingError` naming the file, the key and the frame. Writing is deterministic (same content,
same bytes) and private (0600, atomic).
"""

from __future__ import annotations

import io
import math
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from fitcoach.core.errors import RecordingError
from fitcoach.core.landmarks import (MAX_FRAMES, N_LANDMARKS, SCHEMA, LandmarkRecording, drop_impossible_frames,
                                     validate_arrays)
from fitcoach.io.private_files import open_private

_ZIP_END = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_MAX_SCHEMA_CHARS = 64
_MAX_MEMBERS = 16
_MAX_HEADER_BYTES = 10_000  # an .npy header of ours is ~120 bytes; numpy's own default cap
_DEFLATE_MAX_RATIO = 1032  # deflate cannot expand a byte more than this (zlib's documented limit)
# element sizes per frame: t_s + image_xyzv + world_xyz_m, plus slack for headers and zip entries
MAX_FILE_BYTES = MAX_FRAMES * (8 + N_LANDMARKS * 4 * 4 + N_LANDMARKS * 3 * 4) + (1 << 20)
_REQUIRED = {"schema", "t_s", "image_xyzv", "frame_size"}
_OPTIONAL = {"world_xyz_m"}


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
    # Health data: written 0600 whatever the umask, atomically (fitcoach.io.private_files).
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
    image, world, warnings = drop_impossible_frames(image, world, where)
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


class LandmarkTape:
    """Collects the raw landmarks the pipeline saw (what `fitcoach record` writes), so a live
    session can be saved as a landmark recording and replayed with the same result."""

    def __init__(self) -> None:
        self.t: list[float] = []
        self.img: list[np.ndarray] = []
        self.world: list[np.ndarray] = []

    def add(self, t_s: float, raw) -> None:
        if self.t and not t_s > self.t[-1]:
            return
        self.t.append(t_s)
        if raw is None:
            self.img.append(np.full((N_LANDMARKS, 4), np.nan, np.float32))
            self.world.append(np.full((N_LANDMARKS, 3), np.nan, np.float32))
        else:
            self.img.append(np.asarray(raw[0], np.float32))
            w = raw[1]
            self.world.append(np.full((N_LANDMARKS, 3), np.nan, np.float32) if w is None else np.asarray(w, np.float32))

    def __len__(self) -> int:
        return len(self.t)

    def save(self, path, frame_size: tuple[int, int]) -> None:
        save_recording(path, LandmarkRecording(np.asarray(self.t, np.float64), np.stack(self.img),
                                               np.stack(self.world), tuple(frame_size)))
