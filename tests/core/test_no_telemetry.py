"""FitCoach sends nothing anywhere, including what its libraries would send on their own.

ONNX Runtime 1.29-1.32 link a telemetry client (a device id and an event store under
~/.cache/Microsoft/DeveloperTools/, then DNS look-ups about 20 s into the process). FitCoach pins
1.28.0, built without it, and `import fitcoach` also sets ORT_DISABLE_TELEMETRY=1 before any
onnxruntime import (fitcoach/__init__.py). The network side is proven under strace for over a
minute in tests/test_no_network.py; here, the pin and the footprint on disk."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run_and_list_home(code: str, home, env_extra=None) -> list[str]:
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), **(env_extra or {})}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stderr
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


def test_import_fitcoach_switches_onnxruntime_telemetry_off():
    code = "import fitcoach, os; print(os.environ['ORT_DISABLE_TELEMETRY'])"
    r = subprocess.run([sys.executable, "-c", code], env={**os.environ, "ORT_DISABLE_TELEMETRY": "0"},
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "1"  # forced, even against the user's environment


def test_onnxruntime_leaves_no_device_id_behind(tmp_path):
    pytest.importorskip("onnxruntime")
    # The pinned onnxruntime has no telemetry client: even with telemetry not switched off it
    # writes nothing into HOME (1.32.0 wrote ~/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid).
    code = ("import onnxruntime as o; s = o.InferenceSession('models/form_scorer.onnx', "
            "providers=['CPUExecutionProvider'])")
    bare = _run_and_list_home(code, tmp_path / "a", {"ORT_DISABLE_TELEMETRY": "0"})
    assert not [f for f in bare if "Microsoft" in f], bare
    # The app's way: fitcoach first, then the model is loaded through the form scorer.
    code = "import fitcoach.core.scorer as s; assert s.load_default_scorer() is not None"
    files = _run_and_list_home(code, tmp_path / "b")
    assert not [f for f in files if "Microsoft" in f], files


def test_telemetry_marker_scan_finds_the_client_across_chunk_edges(tmp_path):
    from fitcoach.io.privacy import TELEMETRY_MARKERS, library_has_telemetry_client

    clean = tmp_path / "clean.so"
    clean.write_bytes(b"\0" * 10_000)
    assert not library_has_telemetry_client(clean, chunk=1000)
    marker = TELEMETRY_MARKERS[0]
    dirty = tmp_path / "dirty.so"
    dirty.write_bytes(b"\0" * (1000 - 5) + marker + b"\0" * 3000)  # straddles the first chunk edge
    assert library_has_telemetry_client(dirty, chunk=1000)


def test_the_installed_onnxruntime_has_no_telemetry_client():
    """The pin (pyproject.toml): 1.29-1.32 link OneDsTelemetry; 1.28.0 does not."""
    pytest.importorskip("onnxruntime")
    from fitcoach.io.privacy import _onnxruntime_libraries, library_has_telemetry_client, privacy_report

    libs = _onnxruntime_libraries()
    assert libs and any("pybind11_state" in lib.name for lib in libs)  # the code that runs in-process
    for lib in libs:
        assert not library_has_telemetry_client(lib), f"{lib} contains a telemetry client: check the onnxruntime pin"
    assert any("built without a telemetry client" in line for line in privacy_report())
