"""The report's tables as text (head, rows), shared by the HTML and the PDF renderers, and the
header lines (profile, period, program, when the report was made)."""

from __future__ import annotations

from datetime import datetime, timezone

from fitcoach.reports.summary import DASH, _num


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
