"""Programs page (physiotherapist): a patient's program edited as a table, validated by the same
code as program files (`fitcoach.core.programs`), with the error shown at the field; import and
export of program files; the patient's progress report and FHIR export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QStyledItemDelegate, QTableWidget, QTableWidgetItem, QTextEdit, QVBoxLayout, QWidget)

from fitcoach.gui.i18n import tr

COLUMNS = ("id", "sets", "reps", "hold_s", "tempo", "rest_s", "safe_min", "safe_max", "target")


class ExerciseDelegate(QStyledItemDelegate):
    """The exercise column stores the id (what the program file holds) but shows and edits
    the exercise's name in the UI language."""

    def __init__(self, catalog, lang: str, parent=None) -> None:
        super().__init__(parent)
        self.catalog, self.lang = catalog, lang

    def displayText(self, value, locale) -> str:
        return self.catalog.get(value).name.get(self.lang) if value in self.catalog.ids() else str(value)

    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        for ex in self.catalog:
            box.addItem(ex.name.get(self.lang), ex.id)
        return box

    def setEditorData(self, editor, index) -> None:
        editor.setCurrentIndex(max(0, editor.findData(index.data())))

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.currentData())


class ProgramsPage(QWidget):
    def __init__(self, catalog, lang: str = "en") -> None:
        super().__init__()
        self.catalog, self.lang = catalog, lang
        self.profile = QLineEdit("me")
        self.age_band = QComboBox()
        self.level = QComboBox()
        for box, values in ((self.age_band, ("<18", "18-39", "40-64", "65-79", "80+")),
                            (self.level, ("beginner", "intermediate", "advanced"))):
            box.addItem("–", None)
            for v in values:
                box.addItem(tr(v, lang), v)
        self.conditions = QLineEdit()
        self.conditions.setPlaceholderText(tr("e.g. knee_valgus, forward_head_posture", lang))
        self.avoid = QLineEdit()
        self.avoid.setPlaceholderText(tr("exercise ids to leave out", lang))
        self.patient_btn = QPushButton(tr("Save patient details", lang))
        self.patient_btn.clicked.connect(self.save_patient)
        self.profile.editingFinished.connect(self.load_patient)
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
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c, lang) for c in COLUMNS])
        self.table.setItemDelegateForColumn(COLUMNS.index("id"), ExerciseDelegate(catalog, lang, self.table))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in (("Add exercise", self.add_row), ("Save to profile", self.save),
                           ("Import file…", self._import_dialog), ("Export file…", self._export_dialog),
                           ("Progress report…", self._report_dialog), ("FHIR export…", self._fhir_dialog)):
            b = QPushButton(tr(text, lang))
            b.clicked.connect(slot)
            buttons.addWidget(b)
        head = QHBoxLayout()
        for label, w in (("Profile", self.profile), ("Program name", self.name), ("Sessions per week", self.per_week),
                         ("Voice coaching", self.verbosity)):
            head.addWidget(QLabel(tr(label, lang)))
            head.addWidget(w)
        patient = QHBoxLayout()
        for label, w in (("Age", self.age_band), ("Level", self.level), ("Conditions", self.conditions),
                         ("Avoid", self.avoid)):
            patient.addWidget(QLabel(tr(label, lang)))
            patient.addWidget(w, 1 if isinstance(w, QLineEdit) else 0)
        patient.addWidget(self.patient_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(patient)
        lay.addLayout(head)
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel(tr("Notes", lang)))
        lay.addWidget(self.notes)
        lay.addLayout(buttons)
        lay.addWidget(self.message)

    def showEvent(self, event) -> None:
        """Offer the stored profiles (patients) as completions of the profile field."""
        from PySide6.QtWidgets import QCompleter

        from fitcoach.core.store import DatabaseDamaged
        from fitcoach.gui.pages import open_store, tell_store_problem

        store, problem = open_store(self.lang)  # a damaged history: told once, and said here
        if store is None:
            self.message.setText(problem)
            return super().showEvent(event)
        try:
            self.profile.setCompleter(QCompleter(store.profile_names(), self))
        except DatabaseDamaged as e:
            tell_store_problem(str(e), self.lang)
            self.message.setText(str(e))
        finally:
            store.close()
        super().showEvent(event)

    @staticmethod
    def _tags(text: str) -> list[str]:
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]

    def load_patient(self) -> None:
        import json

        from fitcoach.core.store import Store, StoreError

        store = Store()
        try:
            prof = store.export_profile(self.profile.text().strip())["profile"]
        except StoreError:
            return
        finally:
            store.close()
        self.age_band.setCurrentIndex(max(0, self.age_band.findData(prof.get("age_band"))))
        self.level.setCurrentIndex(max(0, self.level.findData(prof.get("level"))))
        self.conditions.setText(", ".join(json.loads(prof.get("conditions") or "[]")))
        self.avoid.setText(", ".join(json.loads(prof.get("avoid") or "[]")))

    def save_patient(self) -> bool:
        from fitcoach.core.store import Store, StoreError

        unknown = [a for a in self._tags(self.avoid.text()) if a not in self.catalog.ids()]
        if unknown:
            self.message.setText(tr("avoid: unknown exercise {x}", self.lang).format(x=", ".join(unknown)))
            return False
        store = Store()
        try:
            store.set_profile(self.profile.text().strip() or "me", self.age_band.currentData(), self.level.currentData(),
                              conditions=self._tags(self.conditions.text()), avoid=self._tags(self.avoid.text()))
        except StoreError as e:
            self.message.setText(str(e))
            return False
        finally:
            store.close()
        self.message.setText(tr("Saved", self.lang))
        return True

    def add_row(self, values: dict | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, key in enumerate(COLUMNS):
            v = (values or {}).get(key, {"id": "squat", "sets": 3, "reps": 10}.get(key, "") if values is None else "")
            self.table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))

    def to_toml(self) -> str:
        import json

        lines = ["schema_version = 1", f"name = {json.dumps(self.name.text().strip(), ensure_ascii=False)}",
                 f"sessions_per_week = {self.per_week.value()}",
                 f"notes = {json.dumps(self.notes.toPlainText(), ensure_ascii=False)}"]
        if self.verbosity.currentData():
            lines.append(f"verbosity = {json.dumps(self.verbosity.currentData())}")
        for r in range(self.table.rowCount()):
            lines.append("[[exercise]]")
            for c, key in enumerate(COLUMNS):
                item = self.table.item(r, c)
                text = item.text().strip() if item else ""
                if not text:
                    continue
                if key in ("id", "tempo"):
                    lines.append(f"{key} = {json.dumps(text)}")
                else:
                    try:
                        float(text)
                        lines.append(f"{key} = {text}")
                    except ValueError:
                        lines.append(f"{key} = {json.dumps(text)}")  # let validation name the field
        return "\n".join(lines) + "\n"

    def validate(self):
        from fitcoach.core.errors import ValidationError
        from fitcoach.core.programs import parse_program

        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                if self.table.item(r, c):
                    self.table.item(r, c).setBackground(QColor("white"))
        try:
            prog = parse_program(self.to_toml(), tr("program", self.lang), self.catalog)
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
        from fitcoach.core.store import Store

        prog = self.validate()
        if prog is None:
            return False
        store = Store()
        try:
            v = store.add_program(store.profile(self.profile.text().strip() or "me"), prog)
        finally:
            store.close()
        self.message.setText(tr("Saved as version {v}", self.lang).format(v=v))
        return True

    def load_file(self, path: str) -> bool:
        from fitcoach.core.errors import ValidationError
        from fitcoach.core.programs import load_program_file

        try:
            prog = load_program_file(path, self.catalog)
        except ValidationError as e:
            self._show_problems(e, f"{Path(path).name}:", mark=False)  # the table still holds another program
            return False
        self.name.setText(prog.name)
        self.per_week.setValue(prog.sessions_per_week)
        self.notes.setPlainText(prog.notes)
        self.verbosity.setCurrentIndex(max(0, self.verbosity.findData(prog.verbosity)) if prog.verbosity else 0)
        self.table.setRowCount(0)
        for it in prog.items:
            self.add_row({k: getattr(it, k) for k in COLUMNS})
        self.message.setText(tr("Loaded {p}", self.lang).format(p=Path(path).name))
        return True

    def export_file(self, path: str) -> bool:
        if self.validate() is None:
            return False
        from fitcoach.core.private_files import write_private_text

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
        from fitcoach.core.store import Store
        from fitcoach.report import write_report

        store = Store()
        try:
            write_report(store.export_profile(self.profile.text().strip()), Path(path), self.catalog)
        finally:
            store.close()
        self.message.setText(str(path))

    def write_fhir(self, path: str) -> None:
        import json

        from fitcoach.core import fhir
        from fitcoach.core.private_files import write_private_text
        from fitcoach.core.store import Store

        store = Store()
        try:  # only the model files that are installed and verified (no empty hashes)
            b = fhir.bundle(store.export_profile(self.profile.text().strip()), store.salt(), fhir.verified_models())
        finally:
            store.close()
        write_private_text(path, json.dumps(b, indent=1, ensure_ascii=False) + "\n")
        self.message.setText(str(path))
