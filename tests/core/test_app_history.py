"""`fitcoach.app.history` and `fitcoach.app.plans`: the History page's sessions (adherence
against the session's own prescribed sets, the self-report), the week's ROM change in the
driver's direction, and today's plan from a stored history with the item a session starts with."""

import time


from fitcoach.app.database import Database
from fitcoach.app.history import rom_changes, sessions_since, sessions_view
from fitcoach.app.plans import first_item, item_for, last_results, plan_for, todo

DAY = 86400.0


def _rep(i, lo, hi=170):
    return {"index": i, "side": "both", "t_start_s": 2.0 * i, "t_end_s": 2.0 * i + 1.5, "partial": False,
            "rom_deg": {"min": lo, "max": hi}, "tempo_s": {"down": 1.5, "bottom": 0.5, "up": 1.5, "top": 0.5},
            "score": 90.0, "faults": []}


def _session(store, pid, exercise, days_ago, sets, roms):
    """`sets`: the prescribed reps per set; `roms`: the deepest angle of each rep, over the sets in order."""
    sid, set_id = store.start_session(pid, exercise, prescribed_reps=sets[0])
    set_ids = [set_id] + [store.start_set(sid, k + 1, p) for k, p in enumerate(sets[1:], 1)]
    for i, lo in enumerate(roms):
        store.add_rep(set_ids[min(i // max(1, sets[0]), len(set_ids) - 1)], _rep(i + 1, lo)).result()
    store.end_session(sid, set_ids[-1])
    t = time.time() - days_ago * DAY
    store.write(lambda con: (con.execute("UPDATE sessions SET started_utc = ? WHERE id = ?", (t, sid)),
                             con.execute("UPDATE sets SET started_utc = ? WHERE session_id = ?", (t, sid)))).result()
    return sid


def test_sessions_view_adherence_and_self_report(db, catalog):
    store = db.store()
    pid = store.profile("me")
    sid = _session(store, pid, "squat", 1, [3, 3], [95] * 5)  # 2 x 3 prescribed, 5 done
    store.add_self_report(sid, 2, 7)
    _session(store, pid, "squat", 0, [4], [95] * 6)  # more than prescribed: 100 %, never more
    view = sessions_view(store.export_profile("me"), catalog)
    first, second = view.sessions
    assert (first["sets"], first["prescribed_total"], first["adherence"]) == (2, 6, 83)
    assert (first["pain"], first["effort"]) == (2, 7) and second["pain"] is None
    assert second["adherence"] == 100
    assert sessions_since(view.sessions, time.time() - 0.5 * DAY) == 1


def test_rom_changes_follow_the_drivers_direction(catalog):
    now = 1_000_000_000.0
    rows = [{"exercise": "squat", "t": now - 10 * DAY, "rom_extreme": 100.0},
            {"exercise": "squat", "t": now - 2 * DAY, "rom_extreme": 90.0},  # deeper knee: better
            {"exercise": "shoulder_flexion", "t": now - 9 * DAY, "rom_extreme": 150.0},
            {"exercise": "shoulder_flexion", "t": now - 1 * DAY, "rom_extreme": 140.0},  # less raised: worse
            {"exercise": "bicep_curl", "t": now - 1 * DAY, "rom_extreme": 40.0},  # nothing the week before
            {"exercise": "moonwalk", "t": now - 1 * DAY, "rom_extreme": 1.0}]  # not in the catalog
    squat, shoulder = catalog.get("squat").driver.direction, catalog.get("shoulder_flexion").driver.direction
    assert (squat, shoulder) == ("decrease", "increase")
    assert rom_changes(rows, catalog, now) == [("shoulder_flexion", -10.0), ("squat", 10.0)]
    assert rom_changes(rows, catalog, now - 3 * DAY) == []  # the last sessions are in the future then


def test_plan_items_in_the_order_they_are_done():
    plan = {"correctives": [{"exercise": "glute_bridge"}],
            "items": [{"exercise": "squat", "mode": "stop"}, {"exercise": "lunge"}]}
    assert [i["exercise"] for i in todo(plan)] == ["glute_bridge", "lunge"]
    assert first_item(plan)["exercise"] == "glute_bridge" and first_item({"items": []}) is None
    assert first_item(None) is None
    assert item_for(plan, "squat") == {"exercise": "squat", "mode": "stop"} and item_for(plan, "plank") is None


def test_plan_for_a_stored_history(db, catalog):
    empty = plan_for(db, "nobody", catalog)
    assert empty.plan is None and empty.export is None and empty.problem is None
    store = db.store()
    sid = _session(store, store.profile("me"), "squat", 1, [8], [95] * 8)
    store.add_self_report(sid, 1, 5)
    read = plan_for(db, "me", catalog)
    assert read.problem is None and read.plan["items"][0]["exercise"] == "squat"
    s, rep = last_results(read.export, catalog)
    assert s["id"] == sid and s["reps"] == 8 and (rep["pain"], rep["rpe"]) == (1, 5)


def test_plan_for_a_history_that_cannot_be_opened(catalog):
    from fitcoach.app.database import DatabaseDamaged

    def opener(folder):
        raise DatabaseDamaged("/x/fitcoach.db", "file is not a database")

    read = plan_for(Database(opener=opener), "me", catalog)
    assert read.plan is None and read.problem.startswith("/x/fitcoach.db:")
