"""Programs page (physiotherapist): a patient's program edited as a table, validated by the same
code as program files (`fitcoach.core.programs`), with the error shown at the field; import and
export of program files; the patient's progress report and FHIR export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTextEdit,
                               QVBoxLayout, QWidget)

from fitcoach.app.database import Database, StoreError
from fitcoach.app.profiles import add_profile, profile_names, save_profile
from fitcoach.app.programs import (COLUMNS, check_program, load_patient, program_toml, save_program,
                                   unknown_exercises, write_fhir, write_progress_report)
from fitcoach.core.errors import FitCoachError, ValidationError
from fitcoach.gui.i18n import tr
from fitcoach.gui.program_parts import ExerciseDelegate, TagPicker, split_tags

# what the table's headers say (translated with tr): the program file's keys are for files, not people
HEADERS = {"id": "Exercise", "sets": "Sets", "reps": "Reps", "hold_s": "Hold (s)", "tempo": "Tempo (s per phase)",
           "rest_s": "Rest (s)", "safe_min": "Safe min (°)", "safe_max": "Safe max (°)", "target": "Target (°)"}


class ProgramsPage(QWidget):
    _tags = staticmethod(split_tags)

    def __init__(self, catalog, lang: str = "en", db: Database | None = None) -> None:
        super().__init__()
        self.catalog, self.lang = catalog, lang
        self.db = db if db is not None else Database()
        # the patient being edited: picked from the list of stored profiles (or added below it)
        self.profile = QLineEdit("me")
        self.profile.setReadOnly(True)
        self.patients = QListWidget()
        self.patients.setMaximumWidth(200)
        self.patients.currentItemChanged.connect(self._patient_picked)
        self.new_patient = QLineEdit()
        self.new_patient.setPlaceholderText(tr("New patient name", lang))
        self.new_patient.returnPressed.connect(self.add_patient)
        self.add_patient_btn = QPushButton(tr("Add patient", lang))
        self.add_patient_btn.clicked.connect(self.add_patient)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(QLabel(tr("Patients", lang)))
        side.addWidget(self.patients, 1)
        side.addWidget(self.new_patient)
        side.addWidget(self.add_patient_btn)
        main = QVBoxLayout()
        main.addLayout(self._patient_row())
        main.addLayout(self._program_head())
        main.addWidget(self._program_table(), 1)
        main.addLayout(self._row_buttons())
        main.addWidget(QLabel(tr("Notes", lang)))
        main.addWidget(self.notes)
        main.addLayout(self._file_buttons())
        main.addWidget(self.message)
        lay = QHBoxLayout(self)
        lay.addLayout(side)
        lay.addLayout(main, 1)

    def _patient_row(self) -> QHBoxLayout:
        """Age, level, conditions (what the catalog's exercises correct), exercises to avoid."""
        lang, catalog = self.lang, self.catalog
        self.age_band, self.level = QComboBox(), QComboBox()
        for box, values in ((self.age_band, ("<18", "18-39", "40-64", "65-79", "80+")),
                            (self.level, ("beginner", "intermediate", "advanced"))):
            box.addItem("–", None)
            for v in values:
                box.addItem(tr(v, lang), v)
        tags = sorted({t for ex in catalog for t in ex.corrects})
        self.conditions = TagPicker([(t, t.replace("_", " ")) for t in tags], lang)
        self.avoid = TagPicker([(ex.id, ex.name.get(lang)) for ex in catalog], lang)
        self.patient_btn = QPushButton(tr("Save patient details", lang))
        self.patient_btn.clicked.connect(self.save_patient)
        row = QHBoxLayout()
        for label, w in (("Age", self.age_band), ("Level", self.level), ("Conditions", self.conditions),
                         ("Avoid", self.avoid)):
            row.addWidget(QLabel(tr(label, lang)))
            row.addWidget(w, 1 if isinstance(w, TagPicker) else 0)
        row.addWidget(self.patient_btn)
        return row

    def _program_head(self) -> QHBoxLayout:
        """The program's name, sessions a week and voice coaching; its notes (placed below)."""
        lang = self.lang
        self.name = QLineEdit()
        self.per_week = QSpinBox()
        self.per_week.setRange(1, 14)
        self.per_week.setValue(3)
        self.verbosity = QComboBox()
        self.verbosity.addItem(tr("patient's own setting", lang), None)
        for v in ("silent", "counts", "full"):
            self.verbosity.addItem(tr(v, lang), v)
        self.notes = QTextEdit()
        self.notes.setMaximumHeight(60)
        row = QHBoxLayout()
        for label, w in (("Patient", self.profile), ("Program name", self.name), ("Sessions per week", self.per_week),
                         ("Voice coaching", self.verbosity)):
            row.addWidget(QLabel(tr(label, lang)))
            row.addWidget(w)
        return row

    def _program_table(self) -> QTableWidget:
        """One row per exercise; the exercise column shows names and stores ids."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(HEADERS[c], self.lang) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Delete removes the selected rows: a key press on the table itself, so Delete inside a
        # cell being edited (its editor gets the key) still deletes a character
        self.table.installEventFilter(self)
        self.table.setItemDelegateForColumn(COLUMNS.index("id"), ExerciseDelegate(self.catalog, self.lang, self.table))
        header = self.table.horizontalHeader()
        # every header readable in full (English and Korean); the exercise name takes the spare width
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("id"), QHeaderView.ResizeMode.Stretch)
        return self.table

    def _row_buttons(self) -> QHBoxLayout:
        """Acting on the selected row(s) of the table."""
        rows = QHBoxLayout()
        self.remove_btn, self.up_btn, self.down_btn = (QPushButton(tr(t, self.lang))
                                                       for t in ("Remove", "Move up", "Move down"))
        self.remove_btn.clicked.connect(self.remove_rows)
        self.up_btn.clicked.connect(lambda: self.move_row(-1))
        self.down_btn.clicked.connect(lambda: self.move_row(1))
        for b in (self.remove_btn, self.up_btn, self.down_btn):
            rows.addWidget(b)
        rows.addStretch(1)
        return rows

    def _file_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        for text, slot in (("Add exercise", lambda: self.add_row()), ("Save to profile", self.save),
                           ("Import file…", self._import_dialog), ("Export file…", self._export_dialog),
                           ("Progress report…", self._report_dialog), ("FHIR export…", self._fhir_dialog)):
            b = QPushButton(tr(text, self.lang))
            b.clicked.connect(slot)
            buttons.addWidget(b)
        return buttons

    def showEvent(self, event) -> None:
        self.refresh_patients()
        super().showEvent(event)

    def refresh_patients(self) -> None:
        """Fill the patient list with the stored profiles, keeping the current one selected
        (without reloading it: the table may hold unsaved edits)."""
        from fitcoach.gui.pages import tell_store_problem

        try:
            names = profile_names(self.db)
        except FitCoachError as e:  # a damaged history: told once, and said here
            tell_store_problem(str(e), self.lang)
            self.message.setText(str(e))
            return
        self.patients.blockSignals(True)
        try:
            self.patients.clear()
            self.patients.addItems(names)
            current = self.profile.text().strip()
            self.patients.setCurrentRow(names.index(current) if current in names else -1)
        finally:
            self.patients.blockSignals(False)

    def _patient_picked(self, item, _previous=None) -> None:
        if item is not None:
            self.profile.setText(item.text())
            self.load_patient()

    def add_patient(self) -> bool:
        """Store a new patient (profile) by the name typed, list it and switch to it."""
        name = self.new_patient.text().strip()
        try:
            add_profile(self.db, name)  # checks the name (1-100 characters); an existing name is just picked
        except StoreError as e:
            self.message.setText(str(e))
            return False
        self.new_patient.clear()
        self.profile.setText(name)
        self.refresh_patients()
        self.load_patient()
        return True

    def load_patient(self) -> None:
        """Show the current patient's details and newest program; a patient without one (or not
        stored yet) gets a blank program, never the previous patient's exercises and notes."""
        name = self.profile.text().strip()
        try:
            pt = load_patient(self.db, name, self.catalog)
        except StoreError as e:
            self.message.setText(str(e))
            return
        self.age_band.setCurrentIndex(max(0, self.age_band.findData(pt.age_band)))
        self.level.setCurrentIndex(max(0, self.level.findData(pt.level)))
        self.conditions.set_values(pt.conditions)
        self.avoid.set_values(pt.avoid)
        self._show_program(pt.program)
        if pt.program is None:
            self.message.setText(pt.problem or tr("{p} has no program yet", self.lang).format(p=name))
        else:
            self.message.setText(tr("{p}: program {n}, version {v}", self.lang).format(p=name, n=pt.program.name,
                                                                                       v=pt.version))

    def _show_program(self, prog) -> None:
        """Put a program in the form and table; None: a blank one."""
        self.name.setText(prog.name if prog else "")
        self.per_week.setValue(prog.sessions_per_week if prog else 3)
        self.notes.setPlainText(prog.notes if prog else "")
        self.verbosity.setCurrentIndex(max(0, self.verbosity.findData(prog.verbosity)) if prog and prog.verbosity else 0)
        self.table.setRowCount(0)
        for it in prog.items if prog else ():
            self.add_row({k: getattr(it, k) for k in COLUMNS})

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete:
            self.remove_rows()
            return True
        return super().eventFilter(obj, event)

    def _selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentRow() >= 0 and self.table.selectionModel().hasSelection():
            rows = {self.table.currentRow()}
        return sorted(rows)

    def remove_rows(self) -> None:
        """Remove the selected exercise rows (from the bottom up, so the indices stay right)."""
        for r in reversed(self._selected_rows()):
            self.table.removeRow(r)

    def move_row(self, step: int) -> None:
        """Move the selected row one place up (-1) or down (+1), keeping it selected."""
        rows = self._selected_rows()
        if len(rows) != 1:
            return
        r, to = rows[0], rows[0] + step
        if not 0 <= to < self.table.rowCount():
            return
        for c in range(self.table.columnCount()):
            a, b = self.table.takeItem(r, c), self.table.takeItem(to, c)
            self.table.setItem(to, c, a)
            self.table.setItem(r, c, b)
        self.table.selectRow(to)

    def save_patient(self) -> bool:
        unknown = unknown_exercises(self.avoid.values(), self.catalog)
        if unknown:
            self.message.setText(tr("avoid: unknown exercise {x}", self.lang).format(x=", ".join(unknown)))
            return False
        try:
            save_profile(self.db, self.profile.text().strip() or "me", self.age_band.currentData(),
                         self.level.currentData(), conditions=self.conditions.values(), avoid=self.avoid.values())
        except StoreError as e:
            self.message.setText(str(e))
            return False
        self.message.setText(tr("Saved", self.lang))
        self.refresh_patients()  # a new name is a new patient in the list
        return True

    def add_row(self, values: dict | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, key in enumerate(COLUMNS):
            v = (values or {}).get(key, {"id": "squat", "sets": 3, "reps": 10}.get(key, "") if values is None else "")
            self.table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))

    def to_toml(self) -> str:
        rows = []
        for r in range(self.table.rowCount()):
            items = {key: self.table.item(r, c) for c, key in enumerate(COLUMNS)}
            rows.append({key: item.text() if item else "" for key, item in items.items()})
        return program_toml(self.name.text(), self.per_week.value(), self.notes.toPlainText(),
                            self.verbosity.currentData(), rows)

    def validate(self):
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                if self.table.item(r, c):
                    self.table.item(r, c).setBackground(QColor("white"))
        try:
            prog = check_program(self.to_toml(), tr("program", self.lang), self.catalog)
        except ValidationError as e:
            self._show_problems(e)
            return None
        self.message.setText(tr("Valid", self.lang))
        return prog

    def _show_problems(self, e, heading: str | None = None, mark: bool = True) -> None:
        """Every problem of the program, one a line ("Row 2, Glute bridge: ..."), and (`mark`:
        the table holds this program) each at its cell."""
        problems = getattr(e, "problems", None)
        if not problems:  # not TOML, too big: one problem about the whole file
            self.message.setText(str(e))
            return
        self.message.setText("\n".join(([heading] if heading else []) + list(e.messages)))
        for p in problems if mark else ():
            self._mark(p.field)

    def _mark(self, field: str) -> None:
        """Colour the cell the error names, e.g. 'exercise[1].reps'."""
        if field.startswith("exercise[") and "]." in field:
            row = int(field[len("exercise["):field.index("]")])
            key = field.split("].", 1)[1]
            if key in COLUMNS and row < self.table.rowCount() and self.table.item(row, COLUMNS.index(key)):
                self.table.item(row, COLUMNS.index(key)).setBackground(QColor("#f8c0c0"))

    def save(self) -> bool:
        prog = self.validate()
        if prog is None:
            return False
        v = save_program(self.db, self.profile.text().strip() or "me", prog)
        self.message.setText(tr("Saved as version {v}", self.lang).format(v=v))
        self.refresh_patients()
        return True

    def load_file(self, path: str) -> bool:
        from fitcoach.core.programs import load_program_file

        try:
            prog = load_program_file(path, self.catalog)
        except ValidationError as e:
            self._show_problems(e, f"{Path(path).name}:", mark=False)  # the table still holds another program
            return False
        self._show_program(prog)
        self.message.setText(tr("Loaded {p}", self.lang).format(p=Path(path).name))
        return True

    def export_file(self, path: str) -> bool:
        if self.validate() is None:
            return False
        from fitcoach.io.private_files import write_private_text

        write_private_text(path, self.to_toml())  # 0600: a patient's program
        return True

    def _import_dialog(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, tr("Import file…", self.lang), "", "Programs (*.toml)")
        if p:
            self.load_file(p)

    def _export_dialog(self) -> None:
        p, _ = QFileDialog.getSaveFileName(self, tr("Export file…", self.lang), "program.toml", "Programs (*.toml)")
        if p:
            self.export_file(p)

    def _report_dialog(self) -> None:
        p, _ = QFileDialog.getSaveFileName(self, tr("Progress report…", self.lang), "report.html", "HTML (*.html);;PDF (*.pdf)")
        if p:
            self.write_report(p)

    def _fhir_dialog(self) -> None:
        p, _ = QFileDialog.getSaveFileName(self, tr("FHIR export…", self.lang), "patient.fhir.json", "FHIR (*.json)")
        if p:
            self.write_fhir(p)

    def write_report(self, path: str) -> None:
        write_progress_report(self.db, self.profile.text().strip(), path, self.catalog)
        self.message.setText(str(path))

    def write_fhir(self, path: str) -> None:
        write_fhir(self.db, self.profile.text().strip(), path)
        self.message.setText(str(path))
