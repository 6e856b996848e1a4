"""The progress report as one self-contained HTML page: tables and the charts as inline SVG (no
scripts, no external resources: it works offline and prints)."""

from __future__ import annotations

import html
import io

from fitcoach.reports.figures import _private_matplotlib_dir
from fitcoach.reports.summary import _day
from fitcoach.reports.tables import _header_lines, _rows_faults, _rows_program, _rows_sessions, _rows_summary


CSS = ("body{font-family:'DejaVu Sans','Noto Sans',sans-serif;margin:2em;color:#222;max-width:1100px}"
       "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}"
       "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #bbb;padding:.3em .5em;font-size:.88em;"
       "text-align:left;vertical-align:top}th{background:#eee}table.meta td,table.meta th{border:none;padding:.1em .6em .1em 0}"
       "td:first-child{white-space:nowrap}table.meta th{background:none}.notes{white-space:pre-wrap;background:#f6f6f6;padding:.6em;border-left:3px solid #999}"
       "svg{max-width:100%;height:auto}@media print{body{margin:.5cm}h2{page-break-after:avoid}}")


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>")


def _html(summary: dict, figs, pseudonym: str | None) -> str:
    _private_matplotlib_dir()
    import matplotlib.pyplot as plt

    e = html.escape
    parts = ["<h1>FitCoach progress report</h1><table class='meta'>"
             + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _header_lines(summary, pseudonym))
             + "</table>"]
    parts.append("<h2>Summary per exercise</h2>" + (_html_table(*_rows_summary(summary)) if summary["per_exercise"]
                                                   else "<p>No sessions yet.</p>"))
    prog = summary["program"]
    if prog:
        parts.append(f"<h2>Program: {e(prog['name'])} v{prog['version']}</h2>" + _html_table(*_rows_program(prog)))
        if prog["notes"]:
            parts.append(f"<h2>Clinician's notes</h2><div class='notes'>{e(prog['notes'])}</div>")
    svgs = {}
    for name, fig in figs:
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        svg = buf.getvalue()
        svgs[name] = svg[svg.index("<svg"):]
    if "Pain and effort over time" in svgs:
        parts.append("<h2>Pain and effort over time</h2>" + svgs.pop("Pain and effort over time"))
    if summary["sessions"]:
        parts.append("<h2>Sessions</h2>" + _html_table(*_rows_sessions(summary)))
    head, rows = _rows_faults(summary)
    if rows:
        parts.append("<h2>Faults by name</h2>" + _html_table(head, rows))
    for name, svg in svgs.items():
        parts.append(f"<h2>{e(name)}</h2>{svg}")
    if summary["posture_assessments"]:
        rows = []
        for a in summary["posture_assessments"]:
            for f in a.get("findings", []):
                if f.get("value") is not None:
                    rows.append([_day(a["t"]), f["name"]["en"], f"{f['value']:.1f}° ± {f['uncertainty']:.1f}",
                                 f["norm"], f["status"]])
        if rows:
            parts.append("<h2>Posture assessments</h2>" + _html_table(["date", "finding", "measured", "norm", "status"], rows))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>FitCoach progress: {e(summary['profile'])}</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>\n")
