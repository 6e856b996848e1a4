"""Reading an MP4/MOV file's index (its box tree) without decoding: duration, damage.

OpenCV reports a wrong frame count or duration for some files, and cannot open an MP4 whose
recording was cut off before its index ('moov' box) was written. These read the boxes directly,
bounded to a few KB: `mp4_video_duration_s` (the video track's presentation duration) and
`mp4_lacks_index` (media data but no index: a truncated recording, said as such to the user).
Used by `fitcoach.io.sources.VideoSource`, on whichever thread opens the file.
"""

from __future__ import annotations

from pathlib import Path


def mp4_boxes(f, start: int, end: int):
    """(type, payload offset, payload end) of the boxes between `start` and `end` of an open
    MP4 file; stops at the first malformed size (a damaged index yields what came before)."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        head = f.read(8)
        if len(head) < 8:
            return
        size, kind, body = int.from_bytes(head[:4], "big"), head[4:8], pos + 8
        if size == 1:
            ext = f.read(8)
            if len(ext) < 8:
                return
            size, body = int.from_bytes(ext, "big"), pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end:
            return
        yield kind, body, pos + size
        pos += size


def mp4_video_duration_s(path: Path) -> float | None:
    """The video track's presentation duration of an MP4/MOV, in seconds: its `tkhd` duration
    (edit lists applied, in the movie's `mvhd` timescale), else the movie's; None when the
    index is missing or unreadable. Reads only the index boxes (bounded: a few KB)."""

    def u(data: bytes, at: int, n: int) -> int:
        return int.from_bytes(data[at:at + n], "big")

    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            moov = next(((b, e) for k, b, e in mp4_boxes(f, 0, size) if k == b"moov"), None)
            if moov is None:
                return None
            timescale = movie = None
            video = None
            for kind, b, e in list(mp4_boxes(f, *moov)):
                f.seek(b)
                head = f.read(min(e - b, 100))
                if kind == b"mvhd" and len(head) >= 32:
                    if head[0] == 1:
                        timescale, movie = u(head, 20, 4), u(head, 24, 8)
                    else:
                        timescale, movie = u(head, 12, 4), u(head, 16, 4)
                elif kind == b"trak" and video is None:
                    tk = dur = None
                    is_video = False
                    for k2, b2, e2 in list(mp4_boxes(f, b, e)):
                        f.seek(b2)
                        h2 = f.read(min(e2 - b2, 100))
                        if k2 == b"tkhd" and len(h2) >= 32:
                            dur = u(h2, 28, 8) if h2[0] == 1 else u(h2, 20, 4)
                            tk = dur
                        elif k2 == b"mdia":
                            for k3, b3, e3 in list(mp4_boxes(f, b2, e2)):
                                if k3 == b"hdlr":
                                    f.seek(b3)
                                    is_video = f.read(12)[8:12] == b"vide"
                    if is_video and tk and tk not in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):  # all ones: unknown
                        video = tk
            if not timescale:
                return None
            d = (video or movie or 0) / timescale
            return d if 0 < d < 1e6 else None
    except OSError:
        return None


def mp4_lacks_index(path: Path) -> bool:
    """True for an MP4/MOV whose top-level boxes hold media data but no 'moov' (truncated)."""
    try:
        with open(path, "rb") as f:
            seen = set()
            while True:
                head = f.read(8)
                if len(head) < 8:
                    break
                size = int.from_bytes(head[:4], "big")
                kind = head[4:8]
                seen.add(kind)
                if size == 1:
                    size = int.from_bytes(f.read(8), "big") - 8
                elif size == 0:
                    break
                if size < 8:
                    return False
                f.seek(size - 8, 1)
            return b"ftyp" in seen and b"moov" not in seen
    except OSError:
        return False
