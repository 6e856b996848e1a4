"""Printable, self-contained HTML reports (no scripts, no external resources: works offline)."""

from __future__ import annotations

import html

CSS = """body{font-family:'Noto Sans','NanumGothic',sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #bbb;padding:.35em .5em;text-align:left;font-size:.92em;vertical-align:top}
th{background:#eee}.outside{background:#fde8e8}.within{background:#eaf6ea}.na{color:#888}
.small{font-size:.8em;color:#555}@media print{body{margin:.5cm}}"""


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")


def posture_html(report: dict, lang: str = "en") -> str:
    e = html.escape
    rows = []
    for f in report["findings"]:
        cls = {"outside": "outside", "within": "within"}.get(f["status"], "na")
        val = "–" if f["value"] is None else f"{f['value']:.1f}° ± {f['uncertainty']:.1f}"
        ex = ", ".join(f["corrective_exercises"]) or "–"
        note = f"<br><span class='small'>{e(f['note'])}</span>" if f.get("note") else ""
        rows.append(
            f"<tr class='{cls}'><td>{e(f['name'].get(lang, f['name']['en']))}</td><td>{e(f['view'])}</td>"
            f"<td>{e(val)}{note}</td><td>{e(f['norm'])}<br><span class='small'>{e(f['source'])}</span></td>"
            f"<td>{e(f['status'].replace('_', ' '))}</td><td>{e(ex)}</td></tr>")
    warn = "".join(f"<li>{e(w)}</li>" for w in report.get("warnings", []))
    body = (f"<h1>FitCoach posture assessment</h1>"
            f"<p class='small'>Measured from the photos or video frames on this computer; nothing was uploaded.</p>"
            f"<table><tr><th>Finding</th><th>View</th><th>Measured</th><th>Norm (source)</th><th>Status</th>"
            f"<th>Corrective exercises</th></tr>{''.join(rows)}</table>"
            + (f"<ul>{warn}</ul>" if warn else "")
            + "<p class='small'>Uncertainty = 1.5° + 10° × (1 − landmark visibility) + 0.15 × camera angle off "
              "square + frame-to-frame spread. A screening aid, not a diagnosis.</p>")
    return _page("FitCoach posture assessment", body)


def rom_html(report: dict, lang: str = "en") -> str:
    e = html.escape
    r = report
    title = f"FitCoach range of motion: {r['name'].get(lang, r['name']['en'])} ({r['side']})"
    if r["max_deg"] is not None:
        peak = f"{r['max_deg']:.1f}° ± {r['uncertainty_deg']:.1f}"
        of_normal = f"{r['percent_of_normal']:.0f} % — {r['status'].replace('_', ' ')}"
    else:
        peak, of_normal = "not measurable (see below)", "–"
    plane = f"{r['plane']}; wanted {r['view_wanted']}, seen {r['view_seen']}"
    if r["out_of_plane_deg"] is not None:
        plane += f"; movement {r['out_of_plane_deg']:.0f}° out of the image plane"
    rows = [("Maximum", peak), ("Normal range", f"{r['normal'][0]:g}–{r['normal'][1]:g}° ({r['norm_source']})"),
            ("Of normal", of_normal), ("Plane / view", plane)]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    warn = "".join(f"<li>{e(w)}</li>" for w in r.get("warnings", []))
    body = f"<h1>{e(title)}</h1><table>{table}</table>" + (f"<ul>{warn}</ul>" if warn else "")
    return _page("FitCoach range of motion", body)
