"""Running a `fitcoach.run.worker.Worker` from the console (`live`, `workout`): the job runs on
the worker's thread; this (main) thread polls its outbox every 20 ms and prints one line per
event. Ctrl-C cancels the job, and what was measured until then is still reported."""

from __future__ import annotations

from fitcoach.core.errors import FitCoachError


def watch(worker) -> object:
    """Run WORKER, printing its events until it finishes; Ctrl-C cancels it. Returns the job's
    result; a failure is raised as one line (its traceback is in the log)."""
    import time as _time

    from fitcoach.run import events as E

    worker.start()
    failed = None
    while True:
        try:
            for ev in worker.poll():
                if isinstance(ev, E.Failed):
                    failed = ev
                elif isinstance(ev, E.Finished):
                    if failed is not None:
                        raise FitCoachError(failed.text)
                    return ev.result
                else:
                    print_event(ev)
            _time.sleep(0.02)
        except KeyboardInterrupt:
            print("stopping", flush=True)
            worker.cancel()


def print_event(ev) -> None:
    """One line per runner event (`fitcoach.run.events`) for the console commands."""
    from fitcoach.run import events as E

    if isinstance(ev, E.RepDone):
        r = ev.rep
        kind = "partial" if r.partial else "rep"
        where = f" (set {ev.set_index})" if ev.set_index else ""
        score = f"  score {r.score:.0f}" if r.score is not None else ""
        print(f"  t={ev.t_s:6.1f} s  {kind} {r.index}{where}: ROM {r.rom_min:.0f}–{r.rom_max:.0f}°  "
              f"tempo {r.tempo_down:.1f}-{r.tempo_bottom:.1f}-{r.tempo_up:.1f}{score}", flush=True)
    elif isinstance(ev, E.CueSaid):
        print(f"  t={ev.cue.t_s:6.1f} s  coach: {ev.cue.text}   [{ev.cue.priority}: {ev.cue.reason}]", flush=True)
    elif isinstance(ev, E.SetChanged):
        w = ev.event
        text = {"countdown": f"countdown {w.seconds:g} s", "set_start": f"set {w.set_index} started",
                "set_end": f"set {w.set_index} done: {w.achieved}", "rest": f"rest {w.seconds:g} s",
                "done": "workout done"}.get(w.kind)
        if text:
            print(f"  t={w.t_s:6.1f} s  {text}", flush=True)
    elif isinstance(ev, E.LiveStatus) and ev.behind:
        print(f"  t={ev.t_s:6.1f} s  analysis is behind the camera: {ev.analysed_fps:.0f} fps analysed, "
              f"{ev.dropped} frames dropped so far", flush=True)
    elif isinstance(ev, E.Saved):
        print(f"saved {ev.what}: {ev.path}", flush=True)
