"""FitCoach sends nothing anywhere, including what its libraries would send on their own.

ONNX Runtime 1.32 starts a telemetry client on import (a device id and an event store under
~/.cache/Microsoft/DeveloperTools/, then DNS look-ups about 9 s later);
`import fitcoach` switches it off before any onnxruntime import (fitcoach/__init__.py). The
network side is checked on the bundle with strace in an empty network namespace
(packaging/build_bundle.sh); here, its footprint on disk, which appears at import."""

import os
import subprocess
import sys

import pytest


def _run_and_list_home(code: str, home, env_extra=None) -> list[str]:
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), **(env_extra or {})}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


def test_import_fitcoach_switches_onnxruntime_telemetry_off():
    code = "import fitcoach, os; print(os.environ['ORT_DISABLE_TELEMETRY'])"
    r = subprocess.run([sys.executable, "-c", code], env={**os.environ, "ORT_DISABLE_TELEMETRY": "0"},
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "1"  # forced, even against the user's environment


def test_onnxruntime_leaves_no_device_id_behind(tmp_path):
    pytest.importorskip("onnxruntime")
    # Control: onnxruntime on its own (telemetry on) writes its device id into HOME.
    control = _run_and_list_home("import onnxruntime", tmp_path / "a", {"ORT_DISABLE_TELEMETRY": "0"})
    if not any("DeveloperTools" in f for f in control):
        pytest.skip("this onnxruntime writes no telemetry files; nothing to check against")
    # The app's way: fitcoach first, then the model is loaded through the form scorer.
    code = "import fitcoach.core.scorer as s; assert s.load_default_scorer() is not None"
    files = _run_and_list_home(code, tmp_path / "b")
    assert not [f for f in files if "Microsoft" in f], files
