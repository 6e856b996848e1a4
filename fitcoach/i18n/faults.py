"""Faults in the user's language, rendered at the edge (HUD, summaries, history, reports).

The pipeline keeps an English `message` in each fault (it is part of the analysis JSON and the
stored history, which stay as they are); what a person reads is made here from the fault's id:
an exercise rule's own message in `lang` (exercise files carry their texts in every language),
the catalogue's text for the pipeline's own faults (`incomplete_range`), else the id spelled out.
"""

from __future__ import annotations

from fitcoach.i18n import tr

INCOMPLETE = "incomplete_range"  # the pipeline's fault for a partial rep or one short of its target


def fault_name(fault_id: str, lang: str, exercise=None, partial: bool = False, summary: bool = False,
               default: str | None = None) -> str:
    """A fault's name in `lang`. `exercise` (or None) gives the rules; for `incomplete_range`,
    `partial` tells a partial movement from a counted rep short of the target, and `summary`
    picks the session summary's wording. Any other id: `default`, else the id spelled out."""
    if exercise is not None:
        for rule in exercise.rules:
            if rule.id == fault_id:
                return rule.message.get(lang)
    if fault_id == INCOMPLETE:
        if summary:
            return tr("fault.incomplete_range", lang)
        return tr("partial" if partial else "short of the target", lang)
    return fault_id.replace("_", " ") if default is None else default


def fault_names(exercise, lang: str) -> dict[str, str]:
    """{rule id: name in `lang`} for an exercise's rules (empty for None)."""
    return {r.id: r.message.get(lang) for r in exercise.rules} if exercise is not None else {}
