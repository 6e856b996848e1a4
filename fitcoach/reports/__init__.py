"""The reports: the progress report from the local history (`fitcoach report --profile NAME --out
FILE.html|.pdf`), the FHIR export (`fhir`) and the printable assessment pages (`assessment_html`).
Output formats, not domain: they import the core, the I/O layer and the languages, nothing above.

The progress report: a report a physiotherapist can read without the app. It carries outcomes, not only counts:

- a header: the profile (and its pseudonym, the identifier the FHIR export uses), the period
  covered and when the report was made;
- a summary per exercise (by name, not id): sessions, reps against prescribed, ROM reached
  against the target, reps outside the safe range, form score, pain and effort;
- the program (its newest stored version) with each exercise's sets x reps, tempo, target ROM
  and safe range (the program's own values, else the exercise file's), and the clinician's notes;
- pain and effort over time (the self-reports after each session);
- every session: reps, ROM against target, tempo accuracy, pain, effort and its faults by name
  (the exercise files' messages, via ExerciseCatalog) with counts;
- the faults by name with counts per exercise, an adherence calendar against the program's
  sessions per week, ROM and posture assessments over time.

Charts are drawn by matplotlib (Agg, offline); HTML embeds them as inline SVG, PDF pages come
from matplotlib's PDF backend (a first page with the header and summary tables, then the session
and fault tables, then the charts). Nothing is fetched from anywhere. The report is health data:
it is written 0600 (readable by the user only), atomically (`fitcoach.io.private_files`).

Modules: `summary` (the figures, plain data), `tables` (their text), `figures` (the charts),
`progress_html` and `progress_pdf` (the two renderers), `progress` (`write_report`); `fhir`
(the Bundle, with `fhir_careplan` and `fhir_check`); `assessment_html` (posture and ROM pages).
"""

from fitcoach.reports.progress import write_report
from fitcoach.reports.summary import summarize

__all__ = ["summarize", "write_report"]
