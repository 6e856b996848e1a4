"""`write_report`: a profile's progress report (`fitcoach report --profile NAME --out FILE.html|.pdf`),
summarised (`summary`), charted (`figures`) and rendered as HTML (`progress_html`) or PDF
(`progress_pdf`). The report is health data: it is written 0600 (readable by the user only),
atomically (`fitcoach.io.private_files`)."""

from __future__ import annotations

from pathlib import Path

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.io.private_files import open_private, write_private_text
from fitcoach.reports.figures import _figures
from fitcoach.reports.progress_html import _html
from fitcoach.reports.progress_pdf import PDF_SIZE, _pdf
from fitcoach.reports.summary import summarize


def write_report(export: dict, out: Path, catalog: ExerciseCatalog | None = None,
                 pseudonym: str | None = None) -> Path:
    """Write the report (.pdf, else HTML) 0600. `pseudonym`: shown next to the profile name (the
    identifier of the FHIR export, `fhir.pseudonym(store.salt(), export["profile"])`)."""
    catalog = catalog or ExerciseCatalog.load()
    summary = summarize(export, catalog)
    out = Path(out)
    if out.suffix.lower() == ".pdf":
        figs = _figures(summary, width=PDF_SIZE[0], dpi=200)
        # 0600 whatever the umask, written to a temporary file and renamed (private_files)
        with open_private(out, "wb") as fh:
            _pdf(summary, figs, fh, pseudonym)
        return out
    write_private_text(out, _html(summary, _figures(summary), pseudonym))
    return out
