"""Checking a Bundle before it is written: FHIR's "no empty values" rule and plain-JSON sanity
(`structural_problems`, always), and the `fhir.resources` R4 models when they are installed (the
test extra). A Bundle that fails raises `FHIRExportError`, one line naming the element."""

from __future__ import annotations

import json
import math

from fitcoach.core.errors import FitCoachError

MAX_PROBLEMS = 20  # validation problems collected before giving up


class FHIRExportError(FitCoachError):
    pass


def structural_problems(value, where: str = "Bundle") -> list[str]:
    """FHIR JSON's "no empty values" rule and plain-JSON sanity, without the R4 models: empty or
    blank strings, empty arrays, empty objects, nulls and non-finite numbers, each named by its
    path (e.g. `Bundle.entry[1].resource(Device).version[3].value`). At most MAX_PROBLEMS are returned."""
    out: list[str] = []
    stack = [(where, value)]
    while stack and len(out) < MAX_PROBLEMS:
        path, v = stack.pop()
        if v is None:
            out.append(f"{path}: null")
        elif isinstance(v, bool):
            continue
        elif isinstance(v, str):
            if not v.strip():
                out.append(f"{path}: empty string")
        elif isinstance(v, (int, float)):
            if not math.isfinite(v):
                out.append(f"{path}: {v} is not a JSON number")
        elif isinstance(v, list):
            if not v:
                out.append(f"{path}: empty array")
            stack.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
        elif isinstance(v, dict):
            if not v:
                out.append(f"{path}: empty object")
            kind = v.get("resourceType")
            if isinstance(kind, str) and path != where:
                path = f"{path}({kind})"
            stack.extend((f"{path}.{k}", x) for k, x in reversed(list(v.items())))
        else:
            out.append(f"{path}: {type(v).__name__} is not JSON")
    return out


def _r4_problems(b: dict) -> list[str] | None:
    """What the fhir.resources R4 (4.0.1) models reject; None when they are not installed."""
    try:
        import fhir.resources
        from fhir.resources.bundle import Bundle
    except ImportError:
        return None
    if getattr(fhir.resources, "__fhir_version__", None) != "4.0.1":
        return None  # R4B / R5 models would judge an R4 Bundle by other rules
    try:
        Bundle.parse_obj(json.loads(json.dumps(b)))
    except Exception as e:  # pydantic's ValidationError (a ValueError), or a model's TypeError
        errors = e.errors() if callable(getattr(e, "errors", None)) else []
        if not errors:
            return [str(e).splitlines()[0] if str(e) else type(e).__name__]
        return [_loc(err.get("loc", ())) + f": {err.get('msg')}" for err in errors]
    return []


def _loc(parts) -> str:
    """pydantic's ('entry', 1, 'resource', '__root__', 'status') -> Bundle.entry[1].resource.status"""
    out = "Bundle"
    for x in parts:
        if isinstance(x, int):
            out += f"[{x}]"
        elif x != "__root__":
            out += f".{x}"
    return out


def validate(b: dict) -> None:
    """Raise FHIRExportError (one line) unless `b` is a valid FHIR R4 Bundle."""
    problems = structural_problems(b)
    if not problems:
        problems = _r4_problems(b) or []
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FHIRExportError(f"FHIR export is not valid R4, nothing written: {problems[0]}{more}")
