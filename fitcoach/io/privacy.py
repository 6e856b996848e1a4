"""How FitCoach keeps its promise that nothing leaves the machine, checked at run time.

FitCoach itself opens no socket. Its native libraries are the risk:

- ONNX Runtime 1.29-1.32 link Microsoft's OneDs telemetry client, which writes a device id
  under ``~/.cache/Microsoft/DeveloperTools/`` and sends DNS queries for its collector after
  about 20 s in a process (``disable_telemetry_events()`` does not stop them). FitCoach pins
  1.28.0, the newest release built without that client, and also forces
  ``ORT_DISABLE_TELEMETRY=1`` before onnxruntime is imported (``fitcoach/__init__.py``), which
  silences the client in the releases that have one.
- MediaPipe 0.10.35+ look up a Google host when a task is created; FitCoach pins 0.10.31, which
  does not, and loads its models from files shipped with the app.

`tests/test_no_network.py` runs every model for over a minute under ``strace -f`` and fails on
any connection or send to an address that is not loopback or a local Unix socket.
"""

from __future__ import annotations

import os
from pathlib import Path

TELEMETRY_MARKERS = (b"OneDsTelemetry", b"mobile.events.data.microsoft.com")


def _onnxruntime_libraries() -> list[Path]:
    """ONNX Runtime's native code that runs in this process: its Python binding (which holds the
    runtime itself in some releases) and libonnxruntime, next to the binding or, in the
    PyInstaller bundle, which may move shared libraries, anywhere in the bundle's folder."""
    try:
        import onnxruntime
    except ImportError:
        return []
    names = ("onnxruntime_pybind11_state*", "libonnxruntime.so*", "onnxruntime*.dll", "libonnxruntime*.dylib")
    capi = Path(onnxruntime.__file__).resolve().parent / "capi"
    found = [f for pattern in names for f in sorted(capi.glob(pattern))]
    import sys

    root = getattr(sys, "_MEIPASS", None)
    if root and not found:
        found = [f for pattern in names for f in sorted(Path(root).rglob(pattern))]
    return [f for f in found if f.is_file() and "providers_shared" not in f.name]


def _onnxruntime_library() -> Path | None:
    """The first of `_onnxruntime_libraries()` (None when there is none)."""
    libs = _onnxruntime_libraries()
    return libs[0] if libs else None


def library_has_telemetry_client(path: Path, chunk: int = 1 << 22) -> bool:
    """True if the native library's bytes contain the telemetry client's markers (read in chunks,
    overlapping by the longest marker, so memory stays bounded)."""
    keep = max(len(m) for m in TELEMETRY_MARKERS)
    tail = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                return False
            window = tail + block
            if any(m in window for m in TELEMETRY_MARKERS):
                return True
            tail = window[-keep:]


def privacy_report() -> list[str]:
    """Lines for `fitcoach --info`: what guarantees that nothing is sent, measured now."""
    lines = ["Privacy: FitCoach makes no network connection; models ship with the app."]
    libs = _onnxruntime_libraries()
    try:
        import onnxruntime  # noqa: F401
        have_ort = True
    except ImportError:
        have_ort = False
    if not have_ort:
        lines.append("  onnxruntime: not installed (no scorer, no planner network)")
    elif not libs:
        lines.append("  onnxruntime: its native library was not found, so it could not be scanned "
                     "for a telemetry client (ORT_DISABLE_TELEMETRY=1 is set)")
    else:
        import onnxruntime

        has = any(library_has_telemetry_client(lib) for lib in libs)
        flag = os.environ.get("ORT_DISABLE_TELEMETRY")
        if has:
            state = ("switched off (ORT_DISABLE_TELEMETRY=1 set before import)" if flag == "1"
                     else "NOT switched off: run FitCoach through `fitcoach`, which sets ORT_DISABLE_TELEMETRY=1")
            lines.append(f"  onnxruntime {onnxruntime.__version__}: contains a telemetry client, {state}")
        else:
            lines.append(f"  onnxruntime {onnxruntime.__version__}: built without a telemetry client")
        lines.append("  onnxruntime sessions use the CPU provider only (never the Azure provider, which calls a remote endpoint)")
    mp = _mediapipe_version()
    if mp is None:
        lines.append("  mediapipe: not installed")
    else:
        lines.append(f"  mediapipe {mp}: models loaded from files; "
                     + ("no look-up when a task is created" if _mp_quiet(mp) else
                        "WARNING: 0.10.35+ look up a Google host when a task is created"))
    lines.append("  checked in CI: every model run for over 60 s under strace, no non-loopback connection")
    return lines


def _mediapipe_version() -> str | None:
    """The installed mediapipe's version (its distribution metadata, or the module's own
    attribute in a frozen bundle that carries no metadata), or None when it is absent."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("mediapipe")
    except PackageNotFoundError:
        pass
    try:
        import mediapipe
    except ImportError:
        return None
    return str(getattr(mediapipe, "__version__", "unknown"))


def _mp_quiet(ver: str) -> bool:
    try:
        parts = tuple(int(p) for p in ver.split(".")[:3])
    except ValueError:
        return False
    return parts < (0, 10, 35)
