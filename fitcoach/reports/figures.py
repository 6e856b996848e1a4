"""The report's charts (matplotlib, Agg, offline): pain and effort over time, one row of three
per exercise (reps, ROM against target and safe range, form and tempo), faults by name, the
adherence calendar and the ROM assessments. matplotlib's config and font cache go to FitCoach's
own private cache folder (`_private_matplotlib_dir`), never ~/.cache/matplotlib."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path


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
    """[(title, figure)] of the charts SUMMARY has data for, in the report's order."""
    _private_matplotlib_dir()
    import matplotlib

    matplotlib.use("Agg")
    _private_matplotlib_dir()
    import matplotlib.pyplot as plt

    plt.rcParams["figure.dpi"] = dpi
    figs = []
    if any(r["pain"] is not None or r["effort"] is not None for r in summary["self_reports"]):
        figs.append(("Pain and effort over time", _pain_chart(plt, summary["self_reports"], width)))
    by_ex = defaultdict(list)
    for s in summary["sessions"]:
        by_ex[s["exercise"]].append(s)
    for ex, ss in sorted(by_ex.items(), key=lambda kv: kv[1][0]["name"]):
        figs.append((ss[0]["name"], _exercise_chart(plt, ss, width)))
    faults = [(f"{e['name']}: {n}", c) for e in summary["per_exercise"] for n, c in e["faults"].items()]
    if faults:
        figs.append(("Faults", _faults_chart(plt, faults[:15], width)))
    if summary["sessions"]:
        figs.append(("Adherence", _adherence_chart(plt, summary, width)))
    if summary["rom_assessments"]:
        figs.append(("Range-of-motion assessments", _rom_chart(plt, summary["rom_assessments"], width)))
    return figs


def _pain_chart(plt, srs: list[dict], width: float):
    """Pain and effort (0-10) after each session, one point per self-report."""
    fig, ax = plt.subplots(figsize=(width, 2.6))
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
    return fig


def _exercise_chart(plt, ss: list[dict], width: float):
    """One exercise's sessions SS: reps against prescribed, ROM against target and the safe range,
    form score and tempo accuracy."""
    fig, axes = plt.subplots(1, 3, figsize=(width, 3.2))
    x = list(range(len(ss)))  # one slot per session, labelled by its date
    labels = [s["date"][5:] for s in ss]
    reps = [s["reps"] for s in ss]
    axes[0].bar(x, reps, width=0.6, label="reps done")
    if any(s["prescribed"] for s in ss):
        axes[0].plot(x, [s["prescribed"] or 0 for s in ss], "k_", markersize=14, mew=2, label="prescribed")
    axes[0].set_ylim(0, 1.15 * max(reps + [s["prescribed"] or 0 for s in ss] + [1]))
    axes[0].set_title("reps per session", fontsize=9)
    _rom_axis(axes[1], x, ss)
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
    return fig


def _rom_axis(ax, x: list[int], ss: list[dict]) -> None:
    """ROM reached per session against the newest target, shading what lies outside the safe range."""
    rom = [s["rom_extreme"] for s in ss]
    ax.plot(x, rom, "o-", label="reached (mean)")
    lo, hi, target = ss[-1]["safe_min"], ss[-1]["safe_max"], ss[-1]["rom_target"]
    if target is not None:
        ax.axhline(target, color="g", ls="--", label="target")
    vals = [v for v in rom + [target, lo, hi] if v is not None]
    if vals:
        ymin, ymax = min(vals) - 10, max(vals) + 10
        for a0, a1 in ((ymin, lo), (hi, ymax)):  # shade what lies outside the safe range
            if a0 is not None and a1 is not None:
                ax.axhspan(a0, a1, color="#e74c3c", alpha=0.12, lw=0,
                           label="outside safe range" if a0 == ymin or lo is None else None)
        ax.set_ylim(ymin, ymax)
    ax.set_title("range of motion (deg)", fontsize=9)


def _faults_chart(plt, faults: list[tuple[str, int]], width: float):
    """Reps with each fault ("exercise: fault", count), as horizontal bars."""
    fig, ax = plt.subplots(figsize=(width, 1.5 + 0.3 * len(faults)))  # title and axis fit one bar too
    ax.barh(range(len(faults)), [c for _, c in faults], color="#d68910")
    ax.set_yticks(range(len(faults)), [n for n, _ in faults], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("reps with the fault", fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)  # counts: no 0.5 ticks
    ax.set_title("faults by name", fontsize=9)
    fig.tight_layout()
    return fig


def _adherence_chart(plt, summary: dict, width: float):
    """Training days as a week-by-weekday calendar, against the program's sessions per week."""
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
    return fig


def _rom_chart(plt, roms: list[dict], width: float):
    """ROM assessments over time per test and side, with each test's normal maximum dotted."""
    fig, ax = plt.subplots(figsize=(width, 2.8))
    series = defaultdict(list)
    for r in roms:
        series[(str(r.get("test") or "test"), str(r.get("side") or "side unknown"))].append((datetime.fromtimestamp(r["t"], tz=timezone.utc), r["max_deg"],
                                               (r.get("normal") or [None, None])[1]))
    for (test, side), pts in sorted(series.items()):
        line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"{test.replace('_', ' ')} ({side})")
        if pts[0][2] is not None:
            ax.axhline(pts[0][2], color=line.get_color(), ls=":", lw=1)
    ax.set_title("range-of-motion assessments (deg; dotted: AAOS normal maximum)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
