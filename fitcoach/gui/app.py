"""The FitCoach window. The window appears at once; the pose model and scorer load lazily on the
worker thread that uses them."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.gui.i18n import tr
from fitcoach.gui.workout import WorkoutPage


class MainWindow(QMainWindow):
    def __init__(self, lang: str = "en", scorer=None, backend_factory=None) -> None:
        super().__init__()
        self.setWindowTitle(tr("FitCoach", lang))
        self.tabs = QTabWidget()
        self.workout = WorkoutPage(ExerciseCatalog.load(), lang, scorer, backend_factory)
        self.tabs.addTab(self.workout, tr("Workout", lang))
        self.setCentralWidget(self.tabs)
        self.resize(1100, 700)

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
