"""The bundle's recipe without building it (that is `bash packaging/build_bundle.sh`, ~2 min):
the spec is valid Python that lists files which exist, in the places the code looks for them
when frozen (fitcoach/core/resources.py); every entry says why it is there; the desktop entry,
AppStream metainfo, macOS and Windows settings agree on the app id and version."""

import ast
import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fitcoach.core import resources

REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "packaging"
SPEC = PKG / "fitcoach.spec"
APP_ID = "org.fitcoach.FitCoach"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _spec_lists() -> dict:
    """Run the spec up to the Analysis (datas, binaries, hidden imports, excludes) with
    PyInstaller's helpers stubbed: no PyInstaller needed, nothing built."""
    src = SPEC.read_text(encoding="utf-8")
    head = src[: src.index("a = Analysis(")]
    stub = type(sys)("PyInstaller.utils.hooks")
    stub.collect_data_files = lambda *a, **k: []
    stub.collect_dynamic_libs = lambda *a, **k: []
    saved = {k: sys.modules.get(k) for k in ("PyInstaller", "PyInstaller.utils", "PyInstaller.utils.hooks")}
    sys.modules.update({"PyInstaller": type(sys)("PyInstaller"), "PyInstaller.utils": type(sys)("PyInstaller.utils"),
                        "PyInstaller.utils.hooks": stub})
    try:
        ns = {"SPECPATH": str(PKG), "__name__": "spec"}
        exec(compile(head, str(SPEC), "exec"), ns)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return ns


def test_spec_is_valid_python():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_spec_lists_existing_files_for_every_runtime_need():
    ns = _spec_lists()
    datas = ns["datas"]
    assert ns["APP_ID"] == APP_ID and ns["VERSION"] == VERSION
    for src, _dest in datas:
        assert Path(src).is_file(), src
    dests = {(Path(s).name, d) for s, d in datas}
    manifest = tomllib.loads((REPO / "models" / "manifest.toml").read_text(encoding="utf-8"))
    for m in manifest["model"]:  # every model the manifest lists and the checkout has
        if (REPO / "models" / m["file"]).exists():
            assert (m["file"], "models") in dests, m["file"]
        else:
            assert m.get("optional"), f"{m['file']} missing from models/ and not optional"
    assert ("manifest.toml", "models") in dests
    assert {(p.name, "exercises") for p in (REPO / "exercises").glob("*.toml")} <= dests
    # phrases.toml: the cue translations (en/ko); planner phrases, posture norms and ROM tests
    assert {(p.name, "fitcoach/data") for p in (REPO / "fitcoach" / "data").glob("*.toml")} <= dests
    assert ("phrases.toml", "fitcoach/data") in dests


def test_spec_destinations_are_where_the_frozen_code_looks(monkeypatch, tmp_path):
    """The folders the spec fills are the ones resources.py returns under sys._MEIPASS."""
    dests = {d for _s, d in _spec_lists()["datas"]}
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    for found in (resources.models_dir(), resources.exercises_dir(), resources.data_dir()):
        assert found.relative_to(tmp_path).as_posix() in dests
    icon = resources.bundle_dir() / "share" / "icons" / f"{APP_ID}.svg"
    assert icon.parent.relative_to(tmp_path).as_posix() in dests


def _block_lines(src: str, start: str) -> list[str]:
    i = src.index(start)
    return src[i: src.index("\n]", i)].splitlines()[1:]


@pytest.mark.parametrize("block", ["datas = [", "binaries = [", "hiddenimports = [", "excludes = ["])
def test_every_spec_entry_has_its_reason(block):
    """Each entry carries a comment on its line or in the comment lines just above its group
    (a blank line ends a group)."""
    reason = False
    entries = 0
    for line in _block_lines(SPEC.read_text(encoding="utf-8"), block):
        s = line.strip()
        if not s:
            reason = False
        elif s.startswith("#"):
            reason = True
        elif s.startswith(("*[", '"', "(")) or s.startswith("if ") or s.startswith("*collect"):
            entries += 1
            assert reason or "#" in s, f"{block} entry without a reason: {s}"
    assert entries, block


def test_hidden_imports_exist_and_excludes_are_unused():
    ns = _spec_lists()
    for name in ns["hiddenimports"]:
        if name.startswith("pyttsx3.drivers.") and name.rsplit(".", 1)[1] in ("sapi5", "nsss"):
            continue  # other platforms' drivers
        assert importlib.util.find_spec(name) is not None, f"hidden import {name} does not exist"
    # the HTML report inlines SVG charts (matplotlib picks the backend by name when saving)
    assert "matplotlib.backends.backend_svg" in ns["hiddenimports"]
    # nothing the app runs may need an excluded module (training code may need onnx); an optional
    # import, inside `try: ... except ImportError:` with a fallback, is allowed
    code = [p for p in (REPO / "fitcoach").rglob("*.py") if "train" not in p.parts]
    imports = {p.relative_to(REPO): _required_imports(p) for p in code}
    for mod in ns["excludes"]:
        users = [p for p, names in imports.items() if any(n == mod or n.startswith(mod + ".") for n in names)]
        assert not users, f"{mod} is excluded from the bundle but imported by {users}"


def _required_imports(path: Path) -> set[str]:
    """Modules a file imports outside an ImportError guard: `import a.b` gives a.b,
    `from a import b` gives a and a.b (b may be a module: `from PySide6 import QtNetwork`)."""
    guarded: set[int] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                or isinstance(h.type, ast.Tuple) and any(getattr(e, "id", "") in ("ImportError", "ModuleNotFoundError")
                                                         for e in h.type.elts)
                for h in node.handlers):
            guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_macos_bundle_settings():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "BUNDLE"]
    assert len(calls) == 1
    kw = {k.arg: k.value for k in calls[0].keywords}
    assert isinstance(kw["bundle_identifier"], ast.Name) and kw["bundle_identifier"].id == "APP_ID"
    plist = kw["info_plist"]
    keys = [k.value for k in plist.keys]
    camera = ast.literal_eval(plist.values[keys.index("NSCameraUsageDescription")])
    assert "camera" in camera and "never leaves" in camera
    assert (PKG / "macos" / "README.md").is_file()
    import plistlib

    ent = plistlib.loads((PKG / "macos" / "entitlements.plist").read_bytes())
    assert ent == {"com.apple.security.device.camera": True}  # the camera, nothing else
    assert "entitlements.plist" in SPEC.read_text(encoding="utf-8")


def test_windows_version_resource_matches_the_project():
    text = (PKG / "windows" / "version_info.txt").read_text(encoding="utf-8")
    ast.parse(text)  # PyInstaller evaluates it as a Python expression
    assert set(re.findall(r"'(?:File|Product)Version', '([^']+)'", text)) == {VERSION}
    nums = tuple(int(x) for x in VERSION.split(".")) + (0,)
    assert f"filevers={nums}".replace(" ", "") in text.replace(" ", "")


def _desktop_entry():
    desk = configparser.ConfigParser(interpolation=None)
    desk.optionxform = str
    path = PKG / "linux" / f"{APP_ID}.desktop"
    assert desk.read(path, encoding="utf-8") == [str(path)]
    return desk["Desktop Entry"]


def test_desktop_entry_has_the_required_keys():
    e = _desktop_entry()
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment"):
        assert e.get(key), key
    assert e["Type"] == "Application" and e["Terminal"] == "false"
    assert e["Icon"] == APP_ID and (PKG / "linux" / f"{APP_ID}.svg").is_file()
    assert e["Exec"].split()[0] == "fitcoach"  # the bundle's program (linked onto PATH when installed)
    assert e["Categories"].endswith(";")
    assert "핏코치" in e["Name[ko]"]
    ET.parse(PKG / "linux" / f"{APP_ID}.svg")  # the icon is well-formed SVG


def test_metainfo_agrees_with_the_desktop_entry_and_project():
    root = ET.parse(PKG / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    desktop_files = [p.name for p in (PKG / "linux").glob("*.desktop")]
    assert desktop_files == [root.find("launchable").text] == [f"{APP_ID}.desktop"]
    assert root.findtext("project_license") == "Apache-2.0"
    assert root.find("content_rating").get("type").startswith("oars-")
    assert root.findtext("supports/internet") == "offline-only"
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.find("releases/release").get("version") == VERSION
    assert root.findtext("provides/binary") == "fitcoach"


@pytest.mark.parametrize("tool, args, name", [
    ("desktop-file-validate", [], f"{APP_ID}.desktop"),
    ("appstreamcli", ["validate", "--no-net"], f"{APP_ID}.metainfo.xml"),
])
def test_linux_files_pass_their_validators(tool, args, name):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (packaging/build_bundle.sh installs it)")
    r = subprocess.run([tool, *args, str(PKG / "linux" / name)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# --- the resource helper -------------------------------------------------------------------------


def test_resources_from_the_checkout(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert not resources.is_frozen() and resources.bundle_dir() is None
    assert resources.checkout_dir() == REPO and resources.package_dir() == REPO / "fitcoach"
    assert not resources.installed_dir().exists()  # only wheels have fitcoach/_shipped/
    assert resources.resource_root() == REPO
    assert resources.models_dir() == REPO / "models"
    assert resources.exercises_dir() == REPO / "exercises"
    assert resources.data_dir() == REPO / "fitcoach" / "data"
    assert resources.data_file("phrases.toml").is_file()
    assert resources.app_icon() == PKG / "linux" / f"{APP_ID}.svg"


def test_resources_in_a_frozen_bundle(monkeypatch, tmp_path):
    import fitcoach.core.exercises as exercises
    import fitcoach.core.models as models

    root = tmp_path / "_internal"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(root), raising=False)
    assert resources.is_frozen() and resources.bundle_dir() == root
    assert resources.resource_root() == root
    # no fallback to the checkout when frozen, even though the checkout's folders exist
    assert models.models_dir() == root / "models"
    assert exercises.default_exercise_dir() == root / "exercises"
    assert resources.data_dir() == root / "fitcoach" / "data"
    assert resources.app_icon() is None  # not in this (empty) bundle
    (root / "share" / "icons").mkdir(parents=True)
    (root / "share" / "icons" / f"{APP_ID}.svg").write_text("<svg/>", encoding="utf-8")
    assert resources.app_icon() == root / "share" / "icons" / f"{APP_ID}.svg"


def test_resources_frozen_without_meipass_use_the_executables_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "fitcoach"))
    assert resources.resource_root() == tmp_path
    assert resources.models_dir() == tmp_path / "models"


def test_module_level_data_paths_follow_the_bundle(tmp_path):
    """assess, cues and plan_text resolve their files at import: in a fresh interpreter that
    looks frozen, they must point into the bundle."""
    # the bundle holds the message catalogues (packaging/fitcoach.spec copies them): the languages
    # are read from them when fitcoach.i18n is imported
    cat = tmp_path / "fitcoach" / "i18n"
    cat.mkdir(parents=True)
    for f in (REPO / "fitcoach" / "i18n").glob("*.toml"):
        shutil.copy(f, cat / f.name)
    code = (
        "import sys; sys.frozen = True; sys._MEIPASS = sys.argv[1]\n"
        "import fitcoach.core.assess as a, fitcoach.core.cues as c, fitcoach.core.plan_text as p\n"
        "import fitcoach.i18n as i\n"
        "print(a.DATA); print(c.PHRASES_FILE); print(p.PHRASES_FILE); print(i.catalogue_dir())\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    data = tmp_path / "fitcoach" / "data"
    assert r.stdout.split() == [str(data), str(data / "phrases.toml"), str(data / "planner_phrases.toml"), str(cat)]


def test_package_finds_shipped_files_only_through_resources():
    """A data path built from the package's own `__file__` breaks in a wheel (models/ is not
    next to site-packages/fitcoach) and in the bundle; resources.py is the one place, and it asks
    importlib.resources. (`onnxruntime.__file__`, another package's location, is fine.)"""
    own_file = re.compile(r"(?<![\w.])__file__")
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "fitcoach").rglob("*.py")
                 if own_file.search(p.read_text(encoding="utf-8"))]
    assert not offenders
    src = (REPO / "fitcoach" / "core" / "resources.py").read_text(encoding="utf-8")
    assert re.search(r"^from importlib\.resources import files$", src, re.M)
    assert 'files(PACKAGE).joinpath(SHIPPED)' in src and 'SHIPPED = "_shipped"' in src
    assert "PySide6" not in src


_PROBE = (
    "from fitcoach.core import resources as r\n"
    "for name in ('models_dir', 'exercises_dir', 'data_dir', 'app_icon', 'checkout_dir', 'resource_root'):\n"
    "    print(getattr(r, name, lambda: 'n/a')())\n"
)


def _probe_installed(site: Path) -> list[str]:
    """resources.py's answers for a `fitcoach` package installed in `site` (no checkout around:
    -S, no site-packages and no editable finder; run from another folder)."""
    r = subprocess.run([sys.executable, "-S", "-c", _PROBE], capture_output=True, text=True, cwd=site.parent,
                       env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_resources_in_an_installed_wheel(tmp_path):
    """Installed like a wheel (package at site-packages/fitcoach, the shipped files in
    fitcoach/_shipped/): found through importlib.resources, and a stray top-level
    site-packages/models/ (another distribution's) is never taken for ours."""
    site = tmp_path / "site-packages"
    pkg = site / "fitcoach"
    shutil.copytree(REPO / "fitcoach", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (site / "models").mkdir()
    (site / "models" / "manifest.toml").write_text("# not ours\n", encoding="utf-8")
    (site / "exercises").mkdir()
    # a broken install without the shipped files: the messages will name the wheel's folder
    models, exercises, data, icon, checkout, root = _probe_installed(site)
    assert (models, exercises) == (str(pkg / "_shipped" / "models"), str(pkg / "_shipped" / "exercises"))
    assert (data, icon, checkout) == (str(pkg / "data"), "None", "None")
    # the wheel's layout (setup.py's build hook)
    shipped = pkg / "_shipped"
    shutil.copytree(REPO / "models", shipped / "models", ignore=shutil.ignore_patterns("*.task", "*.onnx"))
    shutil.copytree(REPO / "exercises", shipped / "exercises")
    (shipped / "icons").mkdir()
    shutil.copy(PKG / "linux" / f"{APP_ID}.svg", shipped / "icons")
    models, exercises, data, icon, checkout, root = _probe_installed(site)
    assert models == str(shipped / "models") and exercises == str(shipped / "exercises")
    assert icon == str(shipped / "icons" / f"{APP_ID}.svg") and root == str(shipped)
    assert data == str(pkg / "data") and checkout == "None"


# --- the wheel and the sdist ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`python -m build`: the sdist, then the wheel built from it (about 5 s; needs the test
    extra's `build` and the package index for the isolated build environment)."""
    pytest.importorskip("build", reason="`build` (test extra) makes the wheel")
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
                       capture_output=True, text=True, cwd=out, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    (wheel,), (sdist,) = out.glob("fitcoach-*.whl"), out.glob("fitcoach-*.tar.gz")
    return wheel, sdist


def _manifest_files() -> list[str]:
    manifest = tomllib.loads((REPO / "models" / "manifest.toml").read_text(encoding="utf-8"))
    return [m["file"] for m in manifest["model"] if not m.get("optional") or (REPO / "models" / m["file"]).exists()]


@pytest.mark.slow
def test_wheel_ships_every_model_and_exercise(built):
    import hashlib
    import zipfile

    wheel, _ = built
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        where = "fitcoach/_shipped/models/"
        for file in _manifest_files() + ["manifest.toml"]:
            assert where + file in names, f"{file} of models/manifest.toml is not in {wheel.name}"
            assert hashlib.sha256(z.read(where + file)).digest() == hashlib.sha256(
                (REPO / "models" / file).read_bytes()).digest(), file
        for p in sorted((REPO / "exercises").glob("*.toml")):
            assert f"fitcoach/_shipped/exercises/{p.name}" in names, f"exercises/{p.name} is not in {wheel.name}"
        for p in sorted((REPO / "fitcoach" / "data").glob("*.toml")):
            assert f"fitcoach/data/{p.name}" in names, p.name
        assert f"fitcoach/_shipped/icons/{APP_ID}.svg" in names
        # only the package: no top-level models/ or tests/ spilled into site-packages
        assert {n.split("/")[0] for n in names} == {"fitcoach", wheel.name.split("-py3")[0] + ".dist-info"}
        record = z.read(f"{wheel.name.split('-py3')[0]}.dist-info/RECORD").decode()
        assert "fitcoach/_shipped/models/manifest.toml," in record


@pytest.mark.slow
def test_sdist_carries_the_top_level_folders(built):
    import tarfile

    _, sdist = built
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as t:
        names = {m.name.removeprefix(top + "/") for m in t.getmembers()}
    assert {"setup.py", "MANIFEST.in", "pyproject.toml", f"packaging/linux/{APP_ID}.svg"} <= names
    assert {f"models/{f}" for f in _manifest_files()} <= names
    assert {f"exercises/{p.name}" for p in (REPO / "exercises").glob("*.toml")} <= names


# --- the build script ----------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["build_bundle.sh", "check_wheel.sh", "screenshots.sh", "install-and-run.sh"])
def test_scripts_are_strict_bash(script):
    text = (PKG / script).read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    if shutil.which("bash"):
        r = subprocess.run(["bash", "-n", str(PKG / script)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_build_script_runs_the_three_commands_from_the_bundle_without_python():
    text = (PKG / "build_bundle.sh").read_text(encoding="utf-8")
    assert re.search(r"^info=\$\(run --info\)", text, re.M)
    assert re.search(r"^run models verify$", text, re.M)
    assert re.search(r"^run analyze \"\$tmp/demo.npz\"", text, re.M)
    run_fn = text[text.index("run() {"): text.index("\n}", text.index("run() {"))]
    assert "env -i" in run_fn and 'PATH="$tmp/empty-path"' in run_fn  # no python reachable
    # the app itself from its wheel (given with --wheel, or built sdist -> wheel), not the checkout
    assert 'pip install -q "$wheel" ' in text and "-e ." not in text and "pip install -q . " not in text
    assert "-m build --outdir build/bundle-wheel ." in text
    assert "[test" not in text and "[train" not in text  # no test or training extras
    assert "pathex=" not in SPEC.read_text(encoding="utf-8")  # PyInstaller takes the installed wheel


def test_ci_checks_the_wheel_and_bundles_it():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    steps = [ln for ln in ci.splitlines() if ln and not ln.startswith("#")]
    assert any(ln.startswith("bash packaging/check_wheel.sh") for ln in steps)
    assert any(ln.startswith("bash packaging/build_bundle.sh --wheel") for ln in steps)
    assert ".venv/bin/python -m pytest" in steps  # the current steps stay
    check = (PKG / "check_wheel.sh").read_text(encoding="utf-8")
    assert 'cd "$tmp/run"' in check and '-m venv "$tmp/venv"' in check
    assert 'pip install -q "$wheel"' in check and "install -q -e" not in check
    for command in ("--info", "models verify", "demo --save", "analyze demo.npz", "analyze demo.mp4"):
        assert f'"$fc" {command}' in check, command
