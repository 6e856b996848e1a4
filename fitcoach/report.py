"""Progress reports from the local history: `fitcoach report --profile NAME --out FILE.html|.pdf`.

Per session and over time: reps done against reps prescribed, the driver's range of motion
against the exercise's target, the form score, tempo accuracy against the prescribed tempo,
an adherence calendar against the program's sessions per week, and assessments over time.
Charts are drawn by matplotlib (Agg, offline); HTML embeds them as inline SVG, PDF pages come
from matplotlib's PDF backend. Nothing is fetched from anywhere.
"""

from __future__ import annotations

import html
import io
import json
import tomllib
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fitcoach.core.exercises import ExerciseCatalog


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def summarize(export: dict, catalog: ExerciseCatalog) -> dict:
    """Per-session figures from `Store.export_profile()` output."""
    reps_by = defaultdict(list)
    for r in export["reps"]:
        reps_by[r["session_id"]].append(r)
    prescribed = defaultdict(int)
    for st in export["sets"]:
        prescribed[st["session_id"]] += st.get("prescribed_reps") or 0
    sessions = []
    for s in export["sessions"]:
        reps = reps_by.get(s["id"], [])
        full = [r for r in reps if not r["partial"]]
        ex = catalog.get(s["exercise_id"]) if s["exercise_id"] in catalog.ids() else None
        tempo_err = []
        if ex is not None and ex.tempo is not None:
            want = ex.tempo.down + ex.tempo.bottom + ex.tempo.up
            for r in full:
                got = (r["tempo_down"] or 0) + (r["tempo_bottom"] or 0) + (r["tempo_up"] or 0)
                if want > 0 and got > 0:
                    tempo_err.append(abs(got - want) / want)
        decrease = ex is not None and ex.driver is not None and ex.driver.direction == "decrease"
        extremes = [(r["rom_min"] if decrease else r["rom_max"]) for r in full if r["rom_min"] is not None]
        scores = [r["score"] for r in reps if r["score"] is not None]
        sessions.append({
            "id": s["id"], "date": _day(s["started_utc"]), "t": s["started_utc"], "exercise": s["exercise_id"],
            "reps": len(full), "partial": len(reps) - len(full), "prescribed": prescribed.get(s["id"]) or None,
            "rom_extreme": round(sum(extremes) / len(extremes), 1) if extremes else None,
            "rom_target": ex.driver.target if ex is not None and ex.driver is not None else None,
            "score": round(sum(scores) / len(scores), 1) if scores else None,
            "tempo_accuracy": round(100 * (1 - sum(tempo_err) / len(tempo_err)), 0) if tempo_err else None,
            "faults": sum(len(json.loads(r["faults"])) for r in reps),
        })
    per_week = None
    program_reps: dict[str, int] = {}
    for p in export["programs"]:  # the latest version of each program wins (rows come in id order)
        try:
            body = tomllib.loads(p["body"])
        except tomllib.TOMLDecodeError:
            continue
        per_week = body.get("sessions_per_week") or per_week
        for item in body.get("exercise", []):
            if isinstance(item, dict) and isinstance(item.get("reps"), int):
                program_reps[item.get("id")] = item["reps"]
    for s in sessions:  # no prescription recorded with the set: the program's reps per set
        if s["prescribed"] is None:
            s["prescribed"] = program_reps.get(s["exercise"])
    roms = [json.loads(a["body"]) | {"t": a["created_utc"]} for a in export["assessments"] if a["kind"] == "rom"]
    return {"profile": export["profile"]["name"], "sessions": sessions, "per_week": per_week,
            "rom_assessments": [r for r in roms if r.get("max_deg") is not None],
            "posture_assessments": [json.loads(a["body"]) | {"t": a["created_utc"]}
                                    for a in export["assessments"] if a["kind"] == "posture"]}


def _figures(summary: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = []
    by_ex = defaultdict(list)
    for s in summary["sessions"]:
        by_ex[s["exercise"]].append(s)
    for ex, ss in sorted(by_ex.items()):
        fig, axes = plt.subplots(1, 3, figsize=(11, 2.8))
        x = list(range(len(ss)))  # one slot per session, labelled by its date
        labels = [datetime.fromtimestamp(s["t"], tz=timezone.utc).strftime("%m-%d %H:%M") for s in ss]
        axes[0].bar(x, [s["reps"] for s in ss], width=0.6, label="reps")
        if any(s["prescribed"] for s in ss):
            axes[0].plot(x, [s["prescribed"] or 0 for s in ss], "k_", markersize=20, label="prescribed")
        axes[0].set_title(f"{ex}: reps per session")
        axes[0].legend(fontsize=7)
        axes[1].plot(x, [s["rom_extreme"] for s in ss], "o-", label="reached")
        if ss[0]["rom_target"] is not None:
            axes[1].axhline(ss[0]["rom_target"], color="g", ls="--", label="target")
        axes[1].set_title("range of motion (driver, deg)")
        axes[1].legend(fontsize=7)
        axes[2].plot(x, [s["score"] for s in ss], "o-", label="form score")
        axes[2].plot(x, [s["tempo_accuracy"] for s in ss], "s--", label="tempo accuracy %")
        axes[2].set_ylim(0, 105)
        axes[2].set_title("form and tempo")
        axes[2].legend(fontsize=7)
        for a in axes:
            a.set_xticks(x, labels)
            a.tick_params(axis="x", labelrotation=30, labelsize=7)
        fig.tight_layout()
        figs.append((f"{ex}", fig))
    if summary["sessions"]:
        fig, ax = plt.subplots(figsize=(11, 2.2))
        days = sorted({s["date"] for s in summary["sessions"]})
        first = datetime.strptime(days[0], "%Y-%m-%d") - timedelta(days=datetime.strptime(days[0], "%Y-%m-%d").weekday())
        last = datetime.strptime(days[-1], "%Y-%m-%d")
        n_weeks = (last - first).days // 7 + 1
        grid = [[0] * n_weeks for _ in range(7)]
        for d in days:
            dd = datetime.strptime(d, "%Y-%m-%d")
            grid[dd.weekday()][(dd - first).days // 7] = 1
        ax.imshow(grid, cmap="Greens", vmin=0, vmax=1, aspect="auto")
        ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=7)
        ax.set_xticks(range(n_weeks), [(first + timedelta(weeks=k)).strftime("%m-%d") for k in range(n_weeks)], fontsize=7)
        done = [sum(row[k] for row in grid) for k in range(n_weeks)]
        want = summary["per_week"]
        title = "adherence: training days per week " + (f"(program: {want}/week; done: {done})" if want else f"{done}")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        figs.append(("adherence", fig))
    if summary["rom_assessments"]:
        fig, ax = plt.subplots(figsize=(11, 2.8))
        series = defaultdict(list)
        for r in summary["rom_assessments"]:
            series[(r["test"], r["side"])].append((datetime.fromtimestamp(r["t"], tz=timezone.utc), r["max_deg"], r["normal"][1]))
        for (test, side), pts in sorted(series.items()):
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"{test} ({side})")
            ax.axhline(pts[0][2], color=line.get_color(), ls=":", lw=1)
        ax.set_title("range-of-motion assessments (deg; dotted: AAOS normal maximum)", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append(("rom", fig))
    return figs


def _table(summary: dict) -> str:
    e = html.escape
    head = ("<tr><th>date</th><th>exercise</th><th>reps</th><th>prescribed</th><th>partial</th><th>ROM reached</th>"
            "<th>ROM target</th><th>form score</th><th>tempo accuracy</th><th>faults</th></tr>")
    f = lambda v, u="": "–" if v is None else f"{v:g}{u}"  # noqa: E731
    rows = "".join(
        f"<tr><td>{e(s['date'])}</td><td>{e(s['exercise'])}</td><td>{s['reps']}</td><td>{f(s['prescribed'])}</td>"
        f"<td>{s['partial']}</td><td>{f(s['rom_extreme'], '°')}</td><td>{f(s['rom_target'], '°')}</td>"
        f"<td>{f(s['score'])}</td><td>{f(s['tempo_accuracy'], ' %')}</td><td>{s['faults']}</td></tr>"
        for s in summary["sessions"])
    return f"<table>{head}{rows}</table>"


def write_report(export: dict, out: Path, catalog: ExerciseCatalog | None = None) -> Path:
    catalog = catalog or ExerciseCatalog.load()
    summary = summarize(export, catalog)
    figs = _figures(summary)
    import matplotlib.pyplot as plt

    out = Path(out)
    if out.suffix.lower() == ".pdf":
        from matplotlib.backends.backend_pdf import PdfPages

        with PdfPages(out, metadata={"Title": f"FitCoach progress: {summary['profile']}", "Creator": "FitCoach"}) as pdf:
            first = plt.figure(figsize=(11, 8.5))
            lines = [f"FitCoach progress report — {summary['profile']}", ""]
            for s in summary["sessions"]:
                lines.append(f"{s['date']}  {s['exercise']:<22} reps {s['reps']:>3}"
                             f"{'/' + str(s['prescribed']) if s['prescribed'] else ''}  partial {s['partial']}  "
                             f"ROM {s['rom_extreme'] if s['rom_extreme'] is not None else '–'}° "
                             f"(target {s['rom_target'] if s['rom_target'] is not None else '–'}°)  "
                             f"score {s['score'] if s['score'] is not None else '–'}  "
                             f"tempo {s['tempo_accuracy'] if s['tempo_accuracy'] is not None else '–'} %")
            first.text(0.04, 0.96, "\n".join(lines[:45]), va="top", family="monospace", fontsize=8)
            pdf.savefig(first)
            plt.close(first)
            for _name, fig in figs:
                pdf.savefig(fig)
                plt.close(fig)
        return out
    svgs = []
    for name, fig in figs:
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        svg = buf.getvalue()
        svgs.append(f"<h2>{html.escape(name)}</h2>" + svg[svg.index("<svg"):])
    css = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
           "td,th{border:1px solid #bbb;padding:.3em .5em;font-size:.9em}th{background:#eee}")
    posture = ""
    if summary["posture_assessments"]:
        rows = []
        for a in summary["posture_assessments"]:
            for f in a.get("findings", []):
                if f.get("value") is not None:
                    rows.append(f"<tr><td>{_day(a['t'])}</td><td>{html.escape(f['name']['en'])}</td>"
                                f"<td>{f['value']:.1f}° ± {f['uncertainty']:.1f}</td><td>{html.escape(f['norm'])}</td>"
                                f"<td>{html.escape(f['status'])}</td></tr>")
        posture = ("<h2>posture assessments</h2><table><tr><th>date</th><th>finding</th><th>measured</th><th>norm</th>"
                   f"<th>status</th></tr>{''.join(rows)}</table>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>FitCoach progress</title><style>{css}</style>"
            f"</head><body><h1>FitCoach progress report — {html.escape(summary['profile'])}</h1>"
            f"<p>From the history on this computer; nothing was uploaded.</p>{_table(summary)}{''.join(svgs)}"
            f"{posture}</body></html>\n")
    out.write_text(page, encoding="utf-8")
    return out
