"""Progress reports from the local history: `fitcoach report --profile NAME --out FILE.html|.pdf`.

A report a physiotherapist can read without the app. It carries outcomes, not only counts:

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
"""

from __future__ import annotations

import html
import io
import json
import textwrap
import tomllib
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fitcoach.core.exercises import ExerciseCatalog
from fitcoach.io.private_files import open_private, write_private_text

DASH = "–"
PDF_SIZE = (8.27, 11.69)  # A4 portrait, inches
PDF_ROWS = 34  # table rows per PDF page (the rest continue on the next page)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def _num(v, unit: str = "") -> str:
    return DASH if v is None else f"{v:g}{unit}"


def _name(catalog: ExerciseCatalog, ex_id: str) -> str:
    return catalog.get(ex_id).name.en if ex_id in catalog.ids() else str(ex_id)


def _fault_name(catalog: ExerciseCatalog, ex_id: str, fault) -> tuple[str, str]:
    """(rule id, readable name) of a stored fault: the exercise file's message for the rule, else
    the message stored with the rep, else the id (a rule since removed from the exercise file)."""
    if isinstance(fault, dict):
        fid, stored = str(fault.get("id") or "?"), fault.get("message")
    else:  # older rows stored the id alone
        fid, stored = str(fault), None
    if ex_id in catalog.ids():
        for rule in catalog.get(ex_id).rules:
            if rule.id == fid:
                return fid, rule.message.en
    if fid == "incomplete_range" and stored:
        # the pipeline's own fault: "Short of the target: depth 103°, target ≤ 100°" or "Partial
        # rep: ...": its name is the part before the measured detail, so reps short by 102° and by
        # 104° count as one fault (the ROM columns carry the values)
        return fid, str(stored).split(":", 1)[0]
    return fid, str(stored) if stored else fid.replace("_", " ")


def _program(export: dict, catalog: ExerciseCatalog) -> dict | None:
    """The newest stored program version (as `programs.latest_program` picks it), read leniently:
    a report of an old history must not fail on a program an older FitCoach accepted."""
    rows = export.get("programs") or []
    if not rows:
        return None
    body = row = None
    for cand in sorted(rows, key=lambda r: (r.get("created_utc") or 0.0, r.get("version") or 0), reverse=True):
        try:  # the newest version that can be read (stored programs were validated; this is belt and braces)
            body, row = tomllib.loads(cand["body"]), cand
            break
        except (tomllib.TOMLDecodeError, TypeError):
            continue
    if row is None:
        return None
    items = []
    for item in body.get("exercise", []):
        if not isinstance(item, dict) or not item.get("id"):
            continue
        ex_id = str(item["id"])
        ex = catalog.get(ex_id) if ex_id in catalog.ids() else None
        drv = ex.driver if ex is not None else None
        in_deg = drv is None or drv.unit == "deg"
        dose = f"{item['hold_s']:g} s hold" if item.get("hold_s") is not None else f"{item.get('reps', 1)} reps"
        items.append({
            "id": ex_id, "name": _name(catalog, ex_id), "sets": item.get("sets", 1), "reps": item.get("reps"),
            "dose": f"{item.get('sets', 1)} x {dose}", "tempo": item.get("tempo"), "rest_s": item.get("rest_s"),
            # the program's own values win over the exercise file's (as in the workout)
            "target": item.get("target", drv.target if drv is not None and in_deg else None),
            "safe_min": item.get("safe_min", ex.safe_min if ex is not None else None),
            "safe_max": item.get("safe_max", ex.safe_max if ex is not None else None),
            "own": [k for k in ("target", "safe_min", "safe_max") if k in item],
            "direction": drv.direction if drv is not None else None,
        })
    versions = sum(1 for r in rows if r["name"] == row["name"])
    return {"name": row["name"], "version": row["version"], "versions": versions,
            "created": _day(row["created_utc"]) if row.get("created_utc") else None,
            "sessions_per_week": body.get("sessions_per_week"), "weeks": body.get("weeks"),
            "notes": str(body.get("notes") or "").strip(), "items": items}


def summarize(export: dict, catalog: ExerciseCatalog) -> dict:
    """Per-session, per-exercise and program figures from `Store.export_profile()` output."""
    reps_by = defaultdict(list)
    for r in export["reps"]:
        reps_by[r["session_id"]].append(r)
    prescribed = defaultdict(int)
    for st in export["sets"]:
        prescribed[st["session_id"]] += st.get("prescribed_reps") or 0
    reports = {}  # session id -> its newest self-report
    for sr in sorted(export.get("self_reports") or [], key=lambda r: (r["created_utc"], r["id"])):
        reports[sr["session_id"]] = sr
    program = _program(export, catalog)
    plan_items = {it["id"]: it for it in (program["items"] if program else [])}
    sessions = []
    for s in export["sessions"]:
        reps = reps_by.get(s["id"], [])
        full = [r for r in reps if not r["partial"]]
        ex = catalog.get(s["exercise_id"]) if s["exercise_id"] in catalog.ids() else None
        item = plan_items.get(s["exercise_id"], {})
        tempo_err = []
        if ex is not None and ex.tempo is not None:
            want = ex.tempo.down + ex.tempo.bottom + ex.tempo.up
            for r in full:
                got = (r["tempo_down"] or 0) + (r["tempo_bottom"] or 0) + (r["tempo_up"] or 0)
                if want > 0 and got > 0:
                    tempo_err.append(abs(got - want) / want)
        decrease = ex is not None and ex.driver is not None and ex.driver.direction == "decrease"
        extremes = [(r["rom_min"] if decrease else r["rom_max"]) for r in full if r["rom_min"] is not None]
        target = item.get("target", ex.driver.target if ex is not None and ex.driver is not None else None)
        at_target = None
        if target is not None and extremes:
            at_target = sum(1 for v in extremes if (v <= target if decrease else v >= target))
        safe_min = item.get("safe_min", ex.safe_min if ex is not None else None)
        safe_max = item.get("safe_max", ex.safe_max if ex is not None else None)
        outside = sum(1 for r in reps if r["rom_min"] is not None and (
            (safe_min is not None and r["rom_min"] < safe_min) or (safe_max is not None and r["rom_max"] > safe_max)))
        scores = [r["score"] for r in reps if r["score"] is not None]
        fault_counts: Counter = Counter()
        for r in reps:
            try:
                faults = json.loads(r["faults"]) if isinstance(r["faults"], str) else (r["faults"] or [])
            except json.JSONDecodeError:
                faults = []
            for f in faults:
                fault_counts[_fault_name(catalog, s["exercise_id"], f)[1]] += 1
        sr = reports.get(s["id"], {})
        sessions.append({
            "id": s["id"], "date": _day(s["started_utc"]), "t": s["started_utc"], "exercise": s["exercise_id"],
            "name": _name(catalog, s["exercise_id"]),
            "reps": len(full), "partial": len(reps) - len(full), "prescribed": prescribed.get(s["id"]) or None,
            "rom_extreme": round(sum(extremes) / len(extremes), 1) if extremes else None,
            "rom_best": (min(extremes) if decrease else max(extremes)) if extremes else None,
            "rom_target": target, "at_target": at_target, "safe_min": safe_min, "safe_max": safe_max,
            "outside_safe": outside,
            "score": round(sum(scores) / len(scores), 1) if scores else None,
            "tempo_accuracy": round(100 * (1 - sum(tempo_err) / len(tempo_err)), 0) if tempo_err else None,
            "faults": sum(fault_counts.values()), "fault_counts": dict(fault_counts.most_common()),
            "pain": sr.get("pain"), "effort": sr.get("rpe"), "note": (sr.get("note") or "").strip(),
        })
    for s in sessions:  # no prescription recorded with the set: the program's reps per set
        if s["prescribed"] is None:
            s["prescribed"] = plan_items.get(s["exercise"], {}).get("reps")
    per_exercise = []
    by_ex = defaultdict(list)
    for s in sessions:
        by_ex[s["exercise"]].append(s)
    for ex_id, ss in by_ex.items():
        pains = [s["pain"] for s in ss if s["pain"] is not None]
        efforts = [s["effort"] for s in ss if s["effort"] is not None]
        scores = [s["score"] for s in ss if s["score"] is not None]
        faults: Counter = Counter()
        for s in ss:
            faults.update(s["fault_counts"])
        last_rom = next((s["rom_extreme"] for s in reversed(ss) if s["rom_extreme"] is not None), None)
        first_rom = next((s["rom_extreme"] for s in ss if s["rom_extreme"] is not None), None)
        per_exercise.append({
            "exercise": ex_id, "name": ss[0]["name"], "sessions": len(ss), "reps": sum(s["reps"] for s in ss),
            "prescribed": sum(s["prescribed"] or 0 for s in ss) or None,
            "rom_first": first_rom, "rom_last": last_rom, "rom_target": ss[-1]["rom_target"],
            "safe_min": ss[-1]["safe_min"], "safe_max": ss[-1]["safe_max"],
            "at_target": sum(s["at_target"] or 0 for s in ss), "outside_safe": sum(s["outside_safe"] for s in ss),
            "score": round(sum(scores) / len(scores), 1) if scores else None,
            "pain_first": pains[0] if pains else None, "pain_last": pains[-1] if pains else None,
            "pain_max": max(pains) if pains else None,
            "effort_mean": round(sum(efforts) / len(efforts), 1) if efforts else None,
            "faults": dict(faults.most_common()),
        })
    self_reports = [{"t": sr["created_utc"], "date": _day(sr["created_utc"]), "pain": sr.get("pain"),
                     "effort": sr.get("rpe"), "exercise": next((s["name"] for s in sessions if s["id"] == sr["session_id"]), "")}
                    for sr in sorted(export.get("self_reports") or [], key=lambda r: (r["created_utc"], r["id"]))]
    times = [s["t"] for s in sessions] + [a["created_utc"] for a in export["assessments"]] + [r["t"] for r in self_reports]
    roms = []
    for a in export["assessments"]:
        if a["kind"] == "rom":
            body = json.loads(a["body"]) if isinstance(a["body"], str) else a["body"]
            if body.get("max_deg") is not None:
                roms.append(body | {"t": a["created_utc"]})
    return {"profile": export["profile"]["name"], "sessions": sessions, "per_exercise": per_exercise,
            "program": program, "self_reports": self_reports,
            "per_week": program["sessions_per_week"] if program else None,
            "period": (_day(min(times)), _day(max(times))) if times else None,
            "rom_assessments": roms,
            "posture_assessments": [(json.loads(a["body"]) if isinstance(a["body"], str) else a["body"])
                                    | {"t": a["created_utc"]} for a in export["assessments"] if a["kind"] == "posture"]}


# --- text for tables (shared by HTML and PDF) ----------------------------------------------------


def _safe_text(lo, hi) -> str:
    if lo is None and hi is None:
        return DASH
    if hi is None:
        return f"≥ {lo:g}°"
    if lo is None:
        return f"≤ {hi:g}°"
    return f"{lo:g}–{hi:g}°"


def _target_text(target, direction) -> str:
    if target is None:
        return DASH
    return {"decrease": "≤ ", "increase": "≥ "}.get(direction, "") + f"{target:g}°"


def _faults_text(counts: dict) -> str:
    return "; ".join(f"{name} ×{n}" for name, n in counts.items()) or "none"


def _rows_summary(summary: dict) -> tuple[list[str], list[list[str]]]:
    head = ["exercise", "sessions", "reps / prescribed", "ROM first → last (target)", "reps at target",
            "outside safe range", "form score", "pain first → last (max)", "effort (mean)"]
    rows = []
    for e in summary["per_exercise"]:
        rom = f"{_num(e['rom_first'], '°')} → {_num(e['rom_last'], '°')} ({_num(e['rom_target'], '°')})"
        pain = (DASH if e["pain_first"] is None else
                f"{e['pain_first']} → {e['pain_last']} ({e['pain_max']})")
        rows.append([e["name"], str(e["sessions"]), f"{e['reps']} / {_num(e['prescribed'])}", rom,
                     f"{e['at_target']} of {e['reps']}", str(e["outside_safe"]), _num(e["score"]),
                     pain + ("" if e["pain_first"] is None else " /10"), _num(e["effort_mean"])])
    return head, rows


def _rows_program(program: dict) -> tuple[list[str], list[list[str]]]:
    head = ["exercise", "dose", "tempo", "rest", "target ROM", "safe range", "set by"]
    rows = []
    for it in program["items"]:
        rows.append([it["name"], it["dose"], it["tempo"] or DASH, _num(it["rest_s"], " s"),
                     _target_text(it["target"], it["direction"]), _safe_text(it["safe_min"], it["safe_max"]),
                     "program" if it["own"] else "exercise defaults"])
    return head, rows


def _rows_sessions(summary: dict) -> tuple[list[str], list[list[str]]]:
    head = ["date", "exercise", "reps", "partial", "ROM (target)", "tempo", "form", "pain", "effort", "faults"]
    rows = []
    for s in summary["sessions"]:
        rows.append([s["date"], s["name"], f"{s['reps']}/{_num(s['prescribed'])}", str(s["partial"]),
                     f"{_num(s['rom_extreme'], '°')} ({_num(s['rom_target'], '°')})", _num(s["tempo_accuracy"], " %"),
                     _num(s["score"]), _num(s["pain"]), _num(s["effort"]), _faults_text(s["fault_counts"])])
    return head, rows


def _rows_faults(summary: dict) -> tuple[list[str], list[list[str]]]:
    head = ["exercise", "fault", "reps with it", "sessions with it"]
    rows = []
    for e in summary["per_exercise"]:
        for name, n in e["faults"].items():
            k = sum(1 for s in summary["sessions"] if s["exercise"] == e["exercise"] and name in s["fault_counts"])
            rows.append([e["name"], name, str(n), f"{k} of {e['sessions']}"])
    return head, rows


def _header_lines(summary: dict, pseudonym: str | None) -> list[tuple[str, str]]:
    p = summary["period"]
    prog = summary["program"]
    out = [("Profile", summary["profile"] + (f"  (pseudonym {pseudonym})" if pseudonym else "")),
           ("Period", f"{p[0]} to {p[1]}" if p else "no sessions yet"),
           ("Sessions", f"{len(summary['sessions'])}, {sum(s['reps'] for s in summary['sessions'])} full reps"),
           ("Self-reports", f"{len(summary['self_reports'])} (pain and effort, 0-10)")]
    if prog:
        out.append(("Program", f"{prog['name']} v{prog['version']}"
                    + (f" (of {prog['versions']} versions)" if prog["versions"] > 1 else "")
                    + (f", {prog['sessions_per_week']} sessions/week" if prog["sessions_per_week"] else "")
                    + (f", {prog['weeks']} weeks" if prog["weeks"] else "")))
    out.append(("Made", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") + " on this computer; nothing was uploaded"))
    return out


# --- charts --------------------------------------------------------------------------------------


def _private_matplotlib_dir() -> None:
    """Point matplotlib's config and font cache at FitCoach's own cache folder (0700) before it is
    imported, so making a report writes nothing into ~/.cache/matplotlib or ~/.config/matplotlib.
    A user's own MPLCONFIGDIR is respected."""
    import os

    if "MPLCONFIGDIR" not in os.environ:
        from platformdirs import user_cache_dir

        from fitcoach.io.private_files import private_dir

        folder = private_dir(Path(user_cache_dir("fitcoach")) / "matplotlib")
        os.environ["MPLCONFIGDIR"] = str(folder)
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.font_manager  # noqa: F401  (writes its font list now, 0644: tightened below)

        from fitcoach.io.private_files import make_private

        for f in folder.iterdir():
            if f.is_file() and not f.is_symlink():
                make_private(f)


def _figures(summary: dict, width: float = 11.0, dpi: float = 100):
    _private_matplotlib_dir()
    import matplotlib

    matplotlib.use("Agg")
    _private_matplotlib_dir()
    import matplotlib.pyplot as plt

    plt.rcParams["figure.dpi"] = dpi
    figs = []
    if any(r["pain"] is not None or r["effort"] is not None for r in summary["self_reports"]):
        fig, ax = plt.subplots(figsize=(width, 2.6))
        srs = summary["self_reports"]
        x = list(range(len(srs)))
        ax.plot(x, [r["pain"] for r in srs], "o-", color="#c0392b", label="pain (0-10)")
        ax.plot(x, [r["effort"] for r in srs], "s--", color="#2471a3", label="effort / RPE (0-10)")
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks(range(0, 11, 2))
        step = max(1, -(-len(x) // 10))  # at most 10 labels
        ax.set_xticks(x[::step], [f"{r['date'][5:]}\n{r['exercise']}" for r in srs][::step], fontsize=7)
        ax.grid(axis="y", alpha=0.3)
        ax.set_title("pain and effort after each session (self-reported)", fontsize=9)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.tight_layout()
        figs.append(("Pain and effort over time", fig))
    by_ex = defaultdict(list)
    for s in summary["sessions"]:
        by_ex[s["exercise"]].append(s)
    for ex, ss in sorted(by_ex.items(), key=lambda kv: kv[1][0]["name"]):
        name = ss[0]["name"]
        fig, axes = plt.subplots(1, 3, figsize=(width, 3.2))
        x = list(range(len(ss)))  # one slot per session, labelled by its date
        labels = [s["date"][5:] for s in ss]
        reps = [s["reps"] for s in ss]
        axes[0].bar(x, reps, width=0.6, label="reps done")
        if any(s["prescribed"] for s in ss):
            axes[0].plot(x, [s["prescribed"] or 0 for s in ss], "k_", markersize=14, mew=2, label="prescribed")
        axes[0].set_ylim(0, 1.15 * max(reps + [s["prescribed"] or 0 for s in ss] + [1]))
        axes[0].set_title("reps per session", fontsize=9)
        rom = [s["rom_extreme"] for s in ss]
        axes[1].plot(x, rom, "o-", label="reached (mean)")
        lo, hi, target = ss[-1]["safe_min"], ss[-1]["safe_max"], ss[-1]["rom_target"]
        if target is not None:
            axes[1].axhline(target, color="g", ls="--", label="target")
        vals = [v for v in rom + [target, lo, hi] if v is not None]
        if vals:
            ymin, ymax = min(vals) - 10, max(vals) + 10
            for a0, a1 in ((ymin, lo), (hi, ymax)):  # shade what lies outside the safe range
                if a0 is not None and a1 is not None:
                    axes[1].axhspan(a0, a1, color="#e74c3c", alpha=0.12, lw=0,
                                    label="outside safe range" if a0 == ymin or lo is None else None)
            axes[1].set_ylim(ymin, ymax)
        axes[1].set_title("range of motion (deg)", fontsize=9)
        axes[2].plot(x, [s["score"] for s in ss], "o-", label="form score")
        axes[2].plot(x, [s["tempo_accuracy"] for s in ss], "s--", label="tempo accuracy %")
        axes[2].set_ylim(0, 105)
        axes[2].set_title("form and tempo", fontsize=9)
        step = max(1, -(-len(x) // 8))  # at most 8 date labels per axis
        for a in axes:
            a.set_xticks(x[::step], labels[::step])
            a.tick_params(labelsize=7)
            a.set_xlim(-0.6, len(x) - 0.4)
            # under the axis, so that it never hides a point
            a.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        fig.tight_layout()
        figs.append((name, fig))
    faults = [(f"{e['name']}: {n}", c) for e in summary["per_exercise"] for n, c in e["faults"].items()]
    if faults:
        faults = faults[:15]
        fig, ax = plt.subplots(figsize=(width, 1.5 + 0.3 * len(faults)))  # title and axis fit one bar too
        ax.barh(range(len(faults)), [c for _, c in faults], color="#d68910")
        ax.set_yticks(range(len(faults)), [n for n, _ in faults], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("reps with the fault", fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)  # counts: no 0.5 ticks
        ax.set_title("faults by name", fontsize=9)
        fig.tight_layout()
        figs.append(("Faults", fig))
    if summary["sessions"]:
        fig, ax = plt.subplots(figsize=(width, 2.2))
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
        figs.append(("Adherence", fig))
    if summary["rom_assessments"]:
        fig, ax = plt.subplots(figsize=(width, 2.8))
        series = defaultdict(list)
        for r in summary["rom_assessments"]:
            series[(str(r.get("test") or "test"), str(r.get("side") or "side unknown"))].append((datetime.fromtimestamp(r["t"], tz=timezone.utc), r["max_deg"],
                                                   (r.get("normal") or [None, None])[1]))
        for (test, side), pts in sorted(series.items()):
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"{test.replace('_', ' ')} ({side})")
            if pts[0][2] is not None:
                ax.axhline(pts[0][2], color=line.get_color(), ls=":", lw=1)
        ax.set_title("range-of-motion assessments (deg; dotted: AAOS normal maximum)", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append(("Range-of-motion assessments", fig))
    return figs


# --- HTML ----------------------------------------------------------------------------------------

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


# --- PDF -----------------------------------------------------------------------------------------


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
