"""Printable, self-contained HTML pages of the posture and range-of-motion assessments (no
scripts, no external resources: works offline), in the language asked for."""

from __future__ import annotations

import html

from fitcoach.i18n import tr

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
            f"<tr class='{cls}'><td>{e(f['name'].get(lang, f['name']['en']))}</td><td>{e(tr(f['view'], lang))}</td>"
            f"<td>{e(val)}{note}</td><td>{e(f.get(f'norm_{lang}') or f['norm'])}<br>"
            f"<span class='small'>{e(f.get(f'source_{lang}') or f['source'])}</span></td>"
            f"<td>{e(tr(f['status'].replace('_', ' '), lang))}</td><td>{e(ex)}</td></tr>")
    warn = "".join(f"<li>{e(w)}</li>" for w in report.get("warnings", []))
    heads = "".join(f"<th>{e(tr(h, lang))}</th>" for h in ("Finding", "View", "Measured", "Norm (source)", "Status",
                                                          "Corrective exercises"))
    body = (f"<h1>{e(tr('FitCoach posture assessment', lang))}</h1>"
            f"<p class='small'>{e(tr('Measured from the photos or video frames on this computer; nothing was uploaded.', lang))}</p>"
            f"<table><tr>{heads}</tr>{''.join(rows)}</table>"
            + (f"<ul>{warn}</ul>" if warn else "")
            + f"<p class='small'>{e(tr(UNCERTAINTY, lang))}</p>")
    return _page(tr("FitCoach posture assessment", lang), body)


UNCERTAINTY = ("Uncertainty = 1.5° + 10° × (1 − landmark visibility) + 0.15 × camera angle off square + "
               "frame-to-frame spread. A screening aid, not a diagnosis.")


def rom_html(report: dict, lang: str = "en") -> str:
    e = html.escape
    r = report
    title = f"{tr('FitCoach range of motion', lang)}: {r['name'].get(lang, r['name']['en'])} ({tr(r['side'], lang)})"
    if r["max_deg"] is not None:
        peak = f"{r['max_deg']:.1f}° ± {r['uncertainty_deg']:.1f}"
        of_normal = f"{r['percent_of_normal']:.0f} % — {tr(r['status'].replace('_', ' '), lang)}"
    else:
        peak, of_normal = tr("not measurable (see below)", lang), "–"
    plane = f"{r['plane']}; wanted {r['view_wanted']}, seen {r['view_seen']}"
    if r["out_of_plane_deg"] is not None:
        plane += f"; movement {r['out_of_plane_deg']:.0f}° out of the image plane"
    rows = [("Maximum", peak), ("Normal range", f"{r['normal'][0]:g}–{r['normal'][1]:g}° ({r['norm_source']})"),
            ("Of normal", of_normal), ("Plane / view", plane)]
    table = "".join(f"<tr><th>{e(tr(k, lang))}</th><td>{e(v)}</td></tr>" for k, v in rows)
    warn = "".join(f"<li>{e(w)}</li>" for w in r.get("warnings", []))
    body = f"<h1>{e(title)}</h1><table>{table}</table>" + (f"<ul>{warn}</ul>" if warn else "")
    return _page(tr("FitCoach range of motion", lang), body)
