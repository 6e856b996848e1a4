"""The FitCoach window. The window appears at once; the pose model and scorer load lazily on the
worker thread that uses them."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.gui.i18n import tr
from fitcoach.gui.pages import HistoryPage, SettingsPage, TodayPage
from fitcoach.gui.assessment import AssessmentPage
from fitcoach.gui.programs import ProgramsPage
from fitcoach.gui.workout import WorkoutPage


class MainWindow(QMainWindow):
    def __init__(self, lang: str = "en", scorer=None, backend_factory=None) -> None:
        super().__init__()
        self.setWindowTitle(tr("FitCoach", lang))
        self.tabs = QTabWidget()
        catalog = ExerciseCatalog.load()
        self.today = TodayPage(catalog, lang)
        self.workout = WorkoutPage(catalog, lang, scorer, backend_factory)
        self.history = HistoryPage(catalog, lang)
        self.settings = SettingsPage(lang)
        self.programs = ProgramsPage(catalog, lang)
        self.assessment = AssessmentPage(lang, backend_factory)
        self.tabs.addTab(self.today, tr("Today", lang))
        self.tabs.addTab(self.workout, tr("Workout", lang))
        self.tabs.addTab(self.assessment, tr("Assessment", lang))
        self.tabs.addTab(self.history, tr("History", lang))
        self.tabs.addTab(self.programs, tr("Programs", lang))
        self.tabs.addTab(self.settings, tr("Settings", lang))
        self.today.start_requested.connect(self._start_planned)
        self.setCentralWidget(self.tabs)
        self.resize(1100, 700)

    def _start_planned(self, exercise_id: str) -> None:
        w = self.workout
        w.exercise.setCurrentIndex(w.exercise.findData(exercise_id))
        self.tabs.setCurrentWidget(w)

    def closeEvent(self, event) -> None:
        self.workout.stop()
        super().closeEvent(event)


def main(argv: list[str] | None = None, lang: str = "en") -> int:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    from fitcoach.core.scorer import load_default_scorer

    def backend():  # created on the analysis thread that uses it
        from fitcoach.core.pose import MediaPipePose

        return MediaPipePose("full")

    w = MainWindow(lang, load_default_scorer(), backend)
    w.show()
    return app.exec()
