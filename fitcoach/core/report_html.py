"""Printable, self-contained HTML reports (no scripts, no external resources: works offline)."""

from __future__ import annotations

import html

CSS = """body{font-family:'Noto Sans','NanumGothic',sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #bbb;padding:.35em .5em;text-align:left;font-size:.92em;vertical-align:top}
th{background:#eee}.outside{background:#fde8e8}.within{background:#eaf6ea}.na{color:#888}
.small{font-size:.8em;color:#555}@media print{body{margin:.5cm}}"""


KO = {
    "FitCoach posture assessment": "핏코치 자세 평가",
    "Measured from the photos or video frames on this computer; nothing was uploaded.":
        "이 컴퓨터에서 사진이나 영상 프레임으로 측정했어요. 아무것도 업로드하지 않았어요.",
    "Finding": "항목", "View": "방향", "Measured": "측정값", "Norm (source)": "기준 (출처)", "Status": "상태",
    "Corrective exercises": "교정 운동", "outside": "정상 범위 밖", "within": "정상 범위", "not assessed": "평가 안 함",
    "side": "측면", "front": "정면",
    "Uncertainty = 1.5° + 10° × (1 − landmark visibility) + 0.15 × camera angle off square + frame-to-frame spread. "
    "A screening aid, not a diagnosis.":
        "불확도 = 1.5° + 10° × (1 − 관절 가시도) + 0.15 × 카메라 각도 어긋남 + 프레임 간 편차. 진단이 아닌 선별 검사용이에요.",
    "FitCoach range of motion": "핏코치 가동 범위", "Maximum": "최대", "Normal range": "정상 범위",
    "Of normal": "정상 대비", "Plane / view": "운동면 / 방향", "not measurable (see below)": "측정할 수 없음 (아래 참고)",
    "left": "왼쪽", "right": "오른쪽", "within normal": "정상 범위", "outside normal": "정상 범위 밖",
}


def _t(text: str, lang: str) -> str:
    return KO.get(text, text) if lang == "ko" else text


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
            f"<tr class='{cls}'><td>{e(f['name'].get(lang, f['name']['en']))}</td><td>{e(_t(f['view'], lang))}</td>"
            f"<td>{e(val)}{note}</td><td>{e(f.get(f'norm_{lang}') or f['norm'])}<br>"
            f"<span class='small'>{e(f.get(f'source_{lang}') or f['source'])}</span></td>"
            f"<td>{e(_t(f['status'].replace('_', ' '), lang))}</td><td>{e(ex)}</td></tr>")
    warn = "".join(f"<li>{e(w)}</li>" for w in report.get("warnings", []))
    heads = "".join(f"<th>{e(_t(h, lang))}</th>" for h in ("Finding", "View", "Measured", "Norm (source)", "Status",
                                                          "Corrective exercises"))
    body = (f"<h1>{e(_t('FitCoach posture assessment', lang))}</h1>"
            f"<p class='small'>{e(_t('Measured from the photos or video frames on this computer; nothing was uploaded.', lang))}</p>"
            f"<table><tr>{heads}</tr>{''.join(rows)}</table>"
            + (f"<ul>{warn}</ul>" if warn else "")
            + f"<p class='small'>{e(_t(UNCERTAINTY, lang))}</p>")
    return _page(_t("FitCoach posture assessment", lang), body)


UNCERTAINTY = ("Uncertainty = 1.5° + 10° × (1 − landmark visibility) + 0.15 × camera angle off square + "
               "frame-to-frame spread. A screening aid, not a diagnosis.")


def rom_html(report: dict, lang: str = "en") -> str:
    e = html.escape
    r = report
    title = f"{_t('FitCoach range of motion', lang)}: {r['name'].get(lang, r['name']['en'])} ({_t(r['side'], lang)})"
    if r["max_deg"] is not None:
        peak = f"{r['max_deg']:.1f}° ± {r['uncertainty_deg']:.1f}"
        of_normal = f"{r['percent_of_normal']:.0f} % — {_t(r['status'].replace('_', ' '), lang)}"
    else:
        peak, of_normal = _t("not measurable (see below)", lang), "–"
    plane = f"{r['plane']}; wanted {r['view_wanted']}, seen {r['view_seen']}"
    if r["out_of_plane_deg"] is not None:
        plane += f"; movement {r['out_of_plane_deg']:.0f}° out of the image plane"
    rows = [("Maximum", peak), ("Normal range", f"{r['normal'][0]:g}–{r['normal'][1]:g}° ({r['norm_source']})"),
            ("Of normal", of_normal), ("Plane / view", plane)]
    table = "".join(f"<tr><th>{e(_t(k, lang))}</th><td>{e(v)}</td></tr>" for k, v in rows)
    warn = "".join(f"<li>{e(w)}</li>" for w in r.get("warnings", []))
    body = f"<h1>{e(title)}</h1><table>{table}</table>" + (f"<ul>{warn}</ul>" if warn else "")
    return _page(_t("FitCoach range of motion", lang), body)
