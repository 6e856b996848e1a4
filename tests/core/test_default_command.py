"""`fitcoach` alone, on each of camera x display: the app, live coaching, or the demo, each run
with every option at its default. A hand-made Namespace once lacked `lang` and bare `fitcoach`
crashed on a machine with a camera and no display."""

from __future__ import annotations

import pytest

from fitcoach import cli
from fitcoach.cli import app, live


class _NoFrames:
    """A camera that opens and then delivers nothing (the live loop ends at once)."""

    kind = "camera"
    name = "camera 0"
    frame_size = (640, 480)
    fps = 30.0
    warnings: list = []

    def __init__(self, *a, **k) -> None:
        pass

    def __iter__(self):
        return iter(())

    def close(self) -> None:
        pass


@pytest.fixture
def quiet_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.mark.parametrize("camera", [True, False])
@pytest.mark.parametrize("display", [True, False])
def test_bare_fitcoach_on_each_camera_and_display(camera, display, quiet_home, monkeypatch, capsys):
    import fitcoach.io.sources as sources

    ran = {}
    monkeypatch.setattr(app, "display_available", lambda: display)
    monkeypatch.setattr(sources, "list_cameras", lambda: ["0: fake camera"] if camera else [])
    monkeypatch.setattr(sources, "CameraSource", _NoFrames)

    def fake_gui(argv, lang=None, demo=None, quit_after_show=False):
        ran["gui"] = (lang, demo, quit_after_show)
        return 0

    import sys
    import types

    # The GUI module stands in (tests/core needs no Qt): run_gui imports fitcoach.gui.app.main.
    monkeypatch.setitem(sys.modules, "fitcoach.gui.app", types.SimpleNamespace(main=fake_gui))

    class Silent:  # the voice coach without synthesising speech
        def __init__(self, *a, **k):
            ran["voice"] = a[1:3]

        def prepare(self):
            return 0

        def close(self):
            pass

        def __getattr__(self, name):
            return lambda *a, **k: None

    import fitcoach.voice.coach as coach

    monkeypatch.setattr(coach, "VoiceCoach", Silent)
    class NoPose:
        def detect(self, *a, **k):
            return []

        def close(self):
            pass

    monkeypatch.setattr(live, "backend_factory", lambda *a, **k: NoPose)

    rc = cli.main([])
    out = capsys.readouterr().out
    assert rc == 0, out
    if display:
        assert ran["gui"] == (None, None, False)
    elif camera:
        assert "Live: Squat on camera 0" in out and "0 reps" in out
    else:
        assert "running the built-in demo" in out and "Done: 8 complete reps (7 at the target depth), 0 partial." in out
