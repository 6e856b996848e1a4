"""The FitCoach window. It appears at once: the form scorer loads on a background thread (the
analysis threads wait for it, the GUI never does) and each analysis thread creates the pose
model it uses. With no camera the Replay page opens on the built-in demo recording."""

from __future__ import annotations

import logging
import sys
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget

from fitcoach.app.database import Database, data_subdir
from fitcoach.app.plans import item_for
from fitcoach.app.profiles import is_first_run
from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.gui.assessment import AssessmentPage
from fitcoach.gui.i18n import tr
from fitcoach.gui.history import HistoryPage
from fitcoach.gui.pages import SettingsPage, TodayPage
from fitcoach.gui.programs import ProgramsPage
from fitcoach.gui.replay import ReplayPage
from fitcoach.gui.workout import WorkoutPage

log = logging.getLogger(__name__)


class LazyScorer:
    """The form scorer, loaded on its own thread; `get()` (called on analysis threads) waits."""

    def __init__(self, loader=None) -> None:
        self._value = None
        self._error: str | None = None
        self._done = threading.Event()
        self._loader = loader
        threading.Thread(target=self._load, name="load-scorer", daemon=True).start()

    def _load(self) -> None:
        try:
            if self._loader is None:
                from fitcoach.core.scorer import load_default_scorer

                self._value = load_default_scorer()
            else:
                self._value = self._loader()
        except Exception as e:  # scores are then null; the reason is kept for the status line
            self._error = f"form scorer not loaded: {e}"
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def get(self, timeout: float = 30.0):
        self._done.wait(timeout)
        return self._value


def pose_backend_factory(model: str = "full", people: int = 2):
    """A factory the analysis threads call (the backend is created on the thread that uses it)."""

    def make():
        from fitcoach.io.pose import MediaPipePose

        return MediaPipePose(model, num_poses=people)

    return make


class MainWindow(QMainWindow):
    def __init__(self, lang: str | None = None, scorer=None, backend_factory=None, voice: bool = True) -> None:
        super().__init__()
        from fitcoach.io.settings import Settings, load_settings

        try:
            self.settings = load_settings()
            self.settings_error = ""
        except Exception as e:  # a broken settings file: defaults, and the Settings page says why
            self.settings, self.settings_error = Settings(), str(e)
        lang = lang or self.settings.lang
        self.lang = lang
        if backend_factory is None:
            backend_factory = pose_backend_factory(self.settings.model, self.settings.people)
        self.db = Database()  # the one history of the process, opened while the window is built
        self.db.open_in_background()
        self.setWindowTitle(tr("FitCoach", lang))
        self.tabs = QTabWidget()
        catalog = ExerciseCatalog.load()
        self.catalog = catalog
        self.today = TodayPage(catalog, lang, self.db)
        self.workout = WorkoutPage(catalog, lang, scorer, backend_factory, self.settings, voice, self.db)
        self.replay = ReplayPage(catalog, lang, scorer, backend_factory, self.settings.model)
        self.history = HistoryPage(catalog, lang, self.db)
        self.settings_page = self.settings_widget = SettingsPage(lang, self.settings, self.settings_error)
        self.programs = ProgramsPage(catalog, lang, self.db)
        self.assessment = AssessmentPage(lang, backend_factory)
        for page, title in ((self.today, "Today"), (self.workout, "Workout"), (self.replay, "Replay"),
                            (self.assessment, "Assessment"), (self.history, "History"), (self.programs, "Programs"),
                            (self.settings_page, "Settings")):
            self.tabs.addTab(page, tr(title, lang))
        self.today.start_requested.connect(self._start_planned)
        self.welcome = None
        if self.first_run():
            from fitcoach.gui.welcome import WelcomePage

            self.welcome = WelcomePage(lang, db=self.db)
            self.welcome.done.connect(self._welcome_done)
            self.welcome.sample_requested.connect(self.open_demo)
            self.tabs.insertTab(0, self.welcome, tr("Welcome", lang))
            self.tabs.setCurrentWidget(self.welcome)
        else:
            self._use_profile(self.settings.profile or "me")
        self.setCentralWidget(self.tabs)
        self.resize(1280, 800)

    def first_run(self) -> bool:
        """No profile chosen yet and no history: the welcome comes first."""
        return is_first_run(self.db, self.settings.profile)

    def _use_profile(self, name: str) -> None:
        for field in (self.today.profile, self.workout.profile, self.history.profile):
            field.setText(name)
        self.workout.refresh_prescription()

    def _welcome_done(self, name: str) -> None:
        """The welcome's profile becomes the app's: kept in settings.toml, put in every page."""
        from dataclasses import replace

        from fitcoach.io.settings import save_settings

        self.settings = replace(self.settings, profile=name)
        self.settings_page._base = replace(self.settings_page._base, profile=name)
        try:
            save_settings(self.settings)
        except Exception as e:  # the profile is still used in this run; the page says why it is not kept
            log.warning("settings not saved: %s", e)
        self._use_profile(name)
        self.today.plan = None
        self.tabs.setCurrentWidget(self.today)
        self.today.refresh_later()
        if self.welcome is not None:
            self.tabs.removeTab(self.tabs.indexOf(self.welcome))
            self.welcome.deleteLater()
            self.welcome = None

    def _start_planned(self, exercise_id: str) -> None:
        item = item_for(self.today.plan, exercise_id)
        if item is not None:
            self.workout.start_planned(item)
        else:
            self.workout.exercise.setCurrentIndex(self.workout.exercise.findData(exercise_id))
        self.tabs.setCurrentWidget(self.workout)

    def open_demo(self, switch: bool = True, play: bool = True) -> None:
        """The built-in demo recording (a synthetic exerciser) in the Replay page, labelled as a
        demo there; `switch=False` loads it without leaving the current page."""
        from fitcoach.core import synth
        from fitcoach.io.recordings import save_recording

        folder = data_subdir("cache")  # 0700; save_recording writes 0600
        path = folder / "demo-squat.npz"
        if not path.exists():
            rec, _ = synth.generate(synth.demo_take())
            save_recording(path, rec)
        if switch:
            self.tabs.setCurrentWidget(self.replay)
        self.replay.open(str(path), "squat", play=play and switch, demo=True)

    def closeEvent(self, event) -> None:
        self.workout.stop()
        self.replay.close_replay()
        self.today.stop_planning()  # these two read the history on their own threads
        self.history.stop_loading()
        if not self.workout.running:  # its last writes are in (a workout still saving keeps it to the exit)
            self.db.close()
        super().closeEvent(event)


def install_error_dialogs(lang: str | None) -> None:
    """A FitCoachError escaping a button's handler (the history damaged or being restored, a file
    that does not validate) is shown in a dialog with its one-line message, never as a traceback
    on the console; any other exception keeps Python's report (it is a bug)."""
    from fitcoach.core.errors import FitCoachError
    from fitcoach.gui.pages import tell_store_problem

    previous = sys.excepthook

    def hook(etype, value, tb):
        if isinstance(value, FitCoachError):
            log.info("shown in a dialog: %s", value)
            tell_store_problem(" ".join(str(value).split()), lang or "en")
            return
        previous(etype, value, tb)

    sys.excepthook = hook


def main(argv: list[str] | None = None, lang: str | None = None, demo: bool | None = None,
         quit_after_show: bool = False) -> int:
    t0 = time.perf_counter()
    app = QApplication.instance() or QApplication(argv or sys.argv)
    install_error_dialogs(lang)
    app.setApplicationName("FitCoach")
    app.setOrganizationDomain("fitcoach.org")
    w = MainWindow(lang, LazyScorer())
    screen = app.primaryScreen()
    if screen is not None:  # fit small laptop screens (1366 x 768) as well as large ones
        avail = screen.availableGeometry()
        w.resize(min(1280, int(avail.width() * 0.95)), min(800, int(avail.height() * 0.92)))
    w.show()
    app.processEvents()
    shown = time.perf_counter() - t0
    print(f"window shown {shown * 1000:.0f} ms after start of gui main", flush=True)
    asked = demo is True
    if demo is None:
        from fitcoach.io.sources import list_cameras

        demo = not list_cameras()
    if demo:
        # Asked for (`--demo`): shown at once. With no camera: loaded in Replay, ready to play, while
        # the window stays on its first page (the welcome offers it as "Try a sample video").
        QTimer.singleShot(0, lambda: w.open_demo(switch=asked, play=asked))
    if quit_after_show:
        QTimer.singleShot(200, app.quit)
    return app.exec()
