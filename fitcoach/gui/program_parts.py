"""The Programs page's widgets: a checkable list of tags (conditions, exercises to avoid) and
the table's exercise column showing names while it stores ids. Widgets only; the program
itself is `fitcoach.app.programs`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QStyledItemDelegate

from fitcoach.gui.i18n import tr


def split_tags(text: str) -> list[str]:
    """"a, b; c" as ["a", "b", "c"]."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class TagPicker(QListWidget):
    """A checkable list of known tags (value stored as item data, shown as `label`). A stored
    value that is not among the known ones (a condition from an assessment, an exercise no
    longer in the catalog) is kept as an extra checked item marked "not in the catalog", so
    loading and saving a patient never silently drops it. text()/setText() read and set the
    checked values as "a, b", as the free-text fields did."""

    def __init__(self, known: list[tuple[str, str]], lang: str, parent=None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.setMaximumHeight(110)
        for value, label in known:
            self._add(value, label)

    def _add(self, value: str, label: str) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags((item.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.addItem(item)
        return item

    def values(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_values(self, values) -> None:
        wanted = list(dict.fromkeys(values))
        for i in range(self.count()):
            v = self.item(i).data(Qt.ItemDataRole.UserRole)
            self.item(i).setCheckState(Qt.CheckState.Checked if v in wanted else Qt.CheckState.Unchecked)
        have = {self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())}
        for v in wanted:
            if v not in have:
                self._add(v, tr("{x} (not in the catalog)", self.lang).format(x=v)).setCheckState(Qt.CheckState.Checked)

    def text(self) -> str:
        return ", ".join(self.values())

    def setText(self, text: str) -> None:
        self.set_values(split_tags(text))


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
