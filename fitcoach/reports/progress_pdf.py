"""The progress report as an A4 PDF from matplotlib's PDF backend: a first page with the header
and the summary tables, then the session and fault tables, then the charts (as images)."""

from __future__ import annotations

import textwrap

from fitcoach.reports.figures import _private_matplotlib_dir
from fitcoach.reports.tables import _header_lines, _rows_faults, _rows_program, _rows_sessions, _rows_summary

PDF_SIZE = (8.27, 11.69)  # A4 portrait, inches


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) or " " for line in text.splitlines())


class _PdfFlow:
    """A4 pages filled top to bottom: `y` is where the next element starts (figure fraction);
    an element that does not fit on the page starts a new one (a long table continues there)."""

    BOTTOM = 0.05
    LINE = 0.0125  # height of one table line at 7.5 pt, figure fraction

    def __init__(self, pdf, first_title: str, title: str) -> None:
        _private_matplotlib_dir()
        import matplotlib.pyplot as plt

        self.pdf, self.plt, self.title, self.fig = pdf, plt, title, None
        self._new(first_title)

    def _new(self, title: str | None = None) -> None:
        if self.fig is not None:
            self._save()
        self.fig = self.plt.figure(figsize=PDF_SIZE)
        big = title is not None
        self.fig.text(0.06, 0.965, title or self.title, fontsize=15 if big else 10, weight="bold", va="top")
        self.y = 0.925 if big else 0.94

    def _save(self) -> None:
        self.fig.text(0.94, 0.02, "FitCoach: made on this computer from its local history; not a diagnosis",
                      fontsize=7, ha="right", color="#666666")
        self.pdf.savefig(self.fig)
        self.plt.close(self.fig)

    def need(self, h: float) -> None:
        if self.y - h < self.BOTTOM:
            self._new()

    def heading(self, text: str, keep: float = 0.06) -> None:
        self.need(0.028 + keep)  # a heading is never the last line of a page
        self.fig.text(0.06, self.y, text, fontsize=11, weight="bold", va="top")
        self.y -= 0.028

    def lines(self, pairs: list[tuple[str, str]]) -> None:
        for k, v in pairs:
            t = _wrap(v, 85)
            self.fig.text(0.06, self.y, k, fontsize=9, weight="bold", va="top")
            self.fig.text(0.21, self.y, t, fontsize=9, va="top")
            self.y -= 0.02 * (1 + t.count("\n"))
        self.y -= 0.01

    def text(self, body: str, width: int = 105) -> None:
        t = _wrap(body, width)
        h = 0.016 * (t.count("\n") + 1)
        self.need(h)
        self.fig.text(0.06, self.y, t, fontsize=8.5, va="top")
        self.y -= h + 0.015

    def table(self, head: list[str], rows: list[list[str]], widths: list[float], wrap: list[int]) -> None:
        """Cells wrap at `wrap` characters per column (0: no wrapping); rows grow with their lines."""
        cells = [[_wrap(c, w) if w else c for c, w in zip(r, wrap)] for r in rows]
        heads = [_wrap(h, max(8, int(w * 100))) for h, w in zip(head, widths)]
        height = lambda r: self.LINE * (max(c.count("\n") for c in r) + 1) + 0.005  # noqa: E731
        while cells:
            self.need(height(heads) + height(cells[0]))
            room, take = self.y - self.BOTTOM - height(heads), 0
            while take < len(cells) and room >= height(cells[take]):
                room -= height(cells[take])
                take += 1
            self._draw(heads, cells[:take], widths)
            cells = cells[take:]
            if cells:
                self._new()
        self.y -= 0.025

    def _draw(self, heads, cells, widths) -> None:
        heights = [self.LINE * (max(c.count("\n") for c in r) + 1) + 0.005 for r in [heads] + cells]
        total = sum(heights)
        ax = self.fig.add_axes((0.06, self.y - total, 0.88, total))
        ax.axis("off")
        tab = ax.table(cellText=cells, colLabels=heads, colWidths=widths, cellLoc="left", loc="upper left",
                       bbox=(0, 0, 1, 1))
        tab.auto_set_font_size(False)
        tab.set_fontsize(7.5)
        for (r, _c), cell in tab.get_celld().items():
            cell.set_height(heights[r] / total)
            cell.set_edgecolor("#999999")
            cell.PAD = 0.03
            if r == 0:
                cell.set_facecolor("#e8e8e8")
                cell.get_text().set_weight("bold")
        self.y -= total

    def image(self, fig) -> None:
        """A chart, drawn at its own dpi (200: sharp in print) and placed at 88 % of the page width."""
        fig.canvas.draw()
        img = fig.canvas.buffer_rgba()
        w_in, h_in = fig.get_size_inches()
        self.plt.close(fig)
        h = 0.88 * h_in / w_in * PDF_SIZE[0] / PDF_SIZE[1]
        self.need(h)
        ax = self.fig.add_axes((0.06, self.y - h, 0.88, h))
        ax.imshow(img, interpolation="lanczos")
        ax.axis("off")
        self.y -= h + 0.02

    def close(self) -> None:
        self._save()


def _pdf(summary: dict, figs, fh, pseudonym: str | None) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    title = f"FitCoach progress report — {summary['profile']}"
    charts = dict(figs)
    with PdfPages(fh, metadata={"Title": title, "Creator": "FitCoach"}) as pdf:
        page = _PdfFlow(pdf, "FitCoach progress report", title)
        page.lines(_header_lines(summary, pseudonym))
        page.heading("Summary per exercise")
        if summary["per_exercise"]:
            page.table(*_rows_summary(summary), [0.14, 0.08, 0.1, 0.16, 0.1, 0.1, 0.08, 0.13, 0.11],
                       [16, 0, 0, 18, 0, 0, 0, 14, 0])
        else:
            page.text("No sessions yet.")
        prog = summary["program"]
        if prog:
            page.heading(f"Program: {prog['name']} v{prog['version']}")
            page.table(*_rows_program(prog), [0.2, 0.15, 0.1, 0.08, 0.13, 0.14, 0.2], [24, 16, 0, 0, 0, 0, 0])
            if prog["notes"]:
                page.heading("Clinician's notes", keep=0.02)
                page.text(prog["notes"])
        if "Pain and effort over time" in charts:
            page.heading("Pain and effort over time", keep=0.2)
            page.image(charts.pop("Pain and effort over time"))
        if summary["sessions"]:
            page.heading("Sessions")
            page.table(*_rows_sessions(summary), [0.1, 0.13, 0.06, 0.06, 0.11, 0.07, 0.06, 0.05, 0.06, 0.3],
                       [0, 16, 0, 0, 0, 0, 0, 0, 0, 40])
        head, rows = _rows_faults(summary)
        if rows:
            page.heading("Faults by name")
            page.table(head, rows, [0.22, 0.46, 0.14, 0.18], [28, 60, 0, 0])
        for name, fig in charts.items():
            page.heading(name, keep=0.2)
            page.image(fig)
        page.close()
