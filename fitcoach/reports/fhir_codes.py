"""The FHIR vocabulary of the export: code systems, the codes we use (and why RPE is a FitCoach
code), and the small builders every resource shares (ids, times, codings, degrees)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
FC_CS = "https://fitcoach.invalid/fhir/CodeSystem/fitcoach"  # local code system (no real host)
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
PAIN_CODE = {"system": "http://loinc.org", "code": "72514-3",
             "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
# Effort: the app asks "how hard was it, 0-10" (a category-ratio RPE in the style of Borg CR10).
# LOINC has no code for a session RPE on a 0-10 scale that we could use without misstating what
# was asked (its Borg codes are for the 6-20 scale or for dyspnoea, and claiming one would make a
# record system compare our numbers with another instrument's). So it is a FitCoach code with a
# display and a text saying exactly what the number is; a receiving system that knows no FitCoach
# codes still shows the text.
RPE_CODE = {"system": FC_CS, "code": "session-rpe-0-10",
            "display": "Rating of perceived exertion for the session, 0-10 (category-ratio, Borg CR10 style)"}
MAX_TITLE_IDS = 6  # exercise ids shown in a CarePlan's neutral title


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


def _uid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fitcoach:" + "|".join(str(p) for p in parts)))


def _fc(code: str, display: str) -> dict:
    return {"system": FC_CS, "code": code, "display": display}


def _deg(v: float) -> dict:
    return {"value": v, "unit": "deg", "system": UCUM, "code": "deg"}


def _exercise_name(catalog, ex_id: str) -> str:
    return catalog.get(ex_id).name.en if catalog is not None and ex_id in catalog.ids() else str(ex_id)
