"""The bundle's recipe without building it (that is `bash packaging/build_bundle.sh`, minutes):
the spec is valid Python that lists files which exist, the desktop entry and AppStream metainfo
agree on the app id, and the code finds its data where the spec puts it when frozen."""

import ast
import configparser
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "packaging"
APP_ID = "org.fitcoach.FitCoach"


def _spec_datas():
    """Evaluate the spec's `datas` list with PyInstaller's names stubbed (no build)."""
    src = (PKG / "fitcoach.spec").read_text(encoding="utf-8")
    ast.parse(src)  # valid Python
    head = src[: src.index("binaries = [")]
    ns = {"SPECPATH": str(PKG), "__name__": "spec"}
    stub = type(sys)("PyInstaller.utils.hooks")
    stub.collect_data_files = lambda *a, **k: []
    stub.collect_dynamic_libs = lambda *a, **k: []
    sys.modules.setdefault("PyInstaller", type(sys)("PyInstaller"))
    sys.modules.setdefault("PyInstaller.utils", type(sys)("PyInstaller.utils"))
    old = sys.modules.get("PyInstaller.utils.hooks")
    sys.modules["PyInstaller.utils.hooks"] = stub
    try:
        exec(compile(head, "fitcoach.spec", "exec"), ns)
    finally:
        if old is None:
            del sys.modules["PyInstaller.utils.hooks"]
        else:
            sys.modules["PyInstaller.utils.hooks"] = old
    return ns


def test_spec_lists_existing_files_for_every_runtime_need():
    ns = _spec_datas()
    datas = ns["datas"]
    assert ns["APP_ID"] == APP_ID
    for src, dest in datas:
        assert Path(src).exists(), src
    dests = {(Path(s).name, d) for s, d in datas}
    for model in ("pose_landmarker_lite.task", "pose_landmarker_full.task", "form_scorer.onnx", "planner.onnx",
                  "manifest.toml"):
        assert (model, "models") in dests, model
    assert ("squat.toml", "exercises") in dests
    assert ("phrases.toml", "fitcoach/data") in dests  # the translations of the spoken cues
    shipped = {p.name for p in (REPO / "exercises").glob("*.toml")}
    assert shipped <= {n for n, d in dests if d == "exercises"}


def test_every_hidden_import_and_binary_has_its_reason():
    """Each entry of the spec's lists of hidden imports, binaries and excludes is commented."""
    src = (PKG / "fitcoach.spec").read_text(encoding="utf-8")
    for block in ("binaries = [", "hiddenimports = [", "excludes = ["):
        body = src[src.index(block): src.index("\n]", src.index(block))]
        entries = [ln for ln in body.splitlines()[1:] if ln.strip() and not ln.strip().startswith("#")]
        assert entries, block
        assert "#" in body, f"{block} without a reason"


def test_desktop_entry_and_metainfo_agree():
    desk = configparser.ConfigParser(interpolation=None)
    desk.optionxform = str
    desk.read(PKG / "linux" / f"{APP_ID}.desktop", encoding="utf-8")
    e = desk["Desktop Entry"]
    assert e["Type"] == "Application" and e["Icon"] == APP_ID and e["Exec"].split()[0] == "fitcoach"
    assert "핏코치" in e["Name[ko]"]
    assert (PKG / "linux" / f"{APP_ID}.svg").exists()
    root = ET.parse(PKG / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "Apache-2.0"
    assert root.find("content_rating") is not None
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert root.find("releases/release").get("version") == version


def test_frozen_layout_finds_models_exercises_and_phrases(monkeypatch, tmp_path):
    """In the bundle, modules live under sys._MEIPASS/fitcoach/...; the data the spec puts at
    models/, exercises/ and fitcoach/data/ must be what the code looks up."""
    import fitcoach.core.exercises as exercises
    import fitcoach.core.models as models

    root = tmp_path / "_internal"
    (root / "models").mkdir(parents=True)
    (root / "models" / "manifest.toml").write_text("", encoding="utf-8")
    (root / "exercises").mkdir()
    (root / "fitcoach" / "core").mkdir(parents=True)
    fake = str(root / "fitcoach" / "core" / "models.pyc")
    monkeypatch.setattr(models, "__file__", fake)
    monkeypatch.setattr(exercises, "__file__", fake)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(root), raising=False)
    assert models.models_dir() == root / "models"
    assert exercises.default_exercise_dir() == root / "exercises"


@pytest.mark.parametrize("script", ["build_bundle.sh", "screenshots.sh", "install-and-run.sh"])
def test_scripts_are_strict_bash(script):
    text = (PKG / script).read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
