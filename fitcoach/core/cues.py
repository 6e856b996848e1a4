"""The voice coach's brain: pipeline events in, at most one short spoken cue at a time out.

No Qt, no audio, no clock: every call takes the time explicitly, so tests drive it with a fake
clock and `fitcoach analyze` can list the cues it *would* speak, the same every run.

Rules (what a good trainer does):
- priorities: safety > form > tempo > count > encouragement (status cues such as "I can't see
  you" rank with form); the most important pending cue is spoken first;
- persistence: a condition seen in single frames (out of view, past the safe range) must last
  before it is spoken; rep faults come from the exercise rules, which have their own persistence;
- cooldown per cue (the same correction is not repeated within its cooldown);
- time-to-live: a cue about the last rep is dropped if it cannot start in time (a count that
  would come a second late is worse than none);
- variety: phrases have variants and the same words are never spoken twice in a row;
- verbosity: silent, counts (counts and safety only) or full;
- one at a time: a cue is not started while the previous one is still being spoken (its length
  is estimated from the text).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fitcoach.core import resources
from fitcoach.core.errors import ValidationError
from fitcoach.core.exercises import Exercise
from fitcoach.i18n import LANGS, speech_seconds_per_char

PHRASES_FILE = resources.data_file("phrases.toml")  # checkout or bundle
VERBOSITY = ("silent", "counts", "full")
PRIORITY = {"safety": 0, "form": 1, "status": 1, "tempo": 2, "count": 3, "session": 3, "encouragement": 4}
TTL_S = {"safety": 2.0, "form": 4.0, "status": 3.0, "tempo": 4.0, "count": 1.0, "session": 3.0, "encouragement": 2.0}
COOLDOWN_S = {"safety": 3.0, "form": 10.0, "status": 8.0, "tempo": 12.0, "count": 0.0, "session": 0.0,
              "encouragement": 20.0}
PERSIST_S = {"nobody": 2.0, "body_not_visible": 1.5, "safety": 0.2}
SECONDS_PER_CHAR = {lang: speech_seconds_per_char(lang) for lang in LANGS}  # speaking time estimate (catalogues)
TEMPO_FAST, TEMPO_SLOW = 0.6, 1.8  # rep time against the prescription


class PhraseBook:
    """Shared phrases (fitcoach/data/phrases.toml), validated: every key in both languages."""

    def __init__(self, path: Path = PHRASES_FILE) -> None:
        self.path = path
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise ValidationError(str(path), "", f"not valid TOML ({e})") from None
        self.numbers = data.pop("numbers", {lang: [] for lang in LANGS})
        data.pop("schema_version", None)
        self.phrases: dict[str, dict[str, list[str]]] = {}
        for key, table in data.items():
            if not isinstance(table, dict):
                raise ValidationError(str(path), f"[{key}]", f"must be a table with {', '.join(LANGS)} lists")
            for lang in LANGS:
                variants = table.get(lang)
                if not variants or not all(isinstance(v, str) and v.strip() for v in variants):
                    raise ValidationError(str(path), f"[{key}].{lang}", "missing translation (a non-empty list of phrases is required)")
            extra = set(table) - set(LANGS)
            if extra:
                raise ValidationError(str(path), f"[{key}]", f"unknown keys {sorted(extra)}; allowed: {', '.join(LANGS)}")
            self.phrases[key] = {lang: list(table[lang]) for lang in LANGS}

    def variants(self, key: str, lang: str) -> list[str]:
        return self.phrases[key][lang]

    def number(self, n: int, lang: str) -> str:
        words = self.numbers.get(lang) or []
        return words[n - 1] if 1 <= n <= len(words) else str(n)

    def all_texts(self, lang: str, max_count: int = 30) -> list[str]:
        """Every fixed phrase a session may need (for pre-synthesis); templates filled for 1..30."""
        out = []
        for key, table in self.phrases.items():
            for v in table[lang]:
                if "{n}" in v:
                    out += [v.format(n=self.number(i, lang) if key == "rep_count" else i, name="") for i in range(1, max_count + 1)]
                elif "{name}" not in v:
                    out.append(v)
        return sorted(set(out))


@dataclass(frozen=True, slots=True)
class Event:
    key: str  # phrase key, or "form:<rule id>"
    category: str  # a PRIORITY key
    t_s: float
    reason: str
    params: dict = field(default_factory=dict)
    text: dict | None = None  # {lang: text} for form cues (from the exercise file)


@dataclass(frozen=True, slots=True)
class Cue:
    t_s: float
    text: str
    priority: str
    reason: str
    key: str
    duration_s: float

    def to_json(self) -> dict:
        return {"t_s": round(self.t_s, 3), "text": self.text, "priority": self.priority, "reason": self.reason}


class CueEngine:
    def __init__(self, exercise: Exercise | None, lang: str = "en", verbosity: str = "full",
                 phrases: PhraseBook | None = None) -> None:
        if lang not in LANGS:
            raise ValidationError("settings", "lang", f"must be one of {', '.join(LANGS)}, not {lang!r}")
        if verbosity not in VERBOSITY:
            raise ValidationError("settings", "verbosity", f"must be one of {', '.join(VERBOSITY)}, not {verbosity!r}")
        self.ex = exercise
        self.lang = lang
        self.verbosity = verbosity
        self.phrases = phrases or PhraseBook()
        self._pending: list[Event] = []
        self._last_spoken: dict[str, float] = {}
        self._last_text: str | None = None
        self._variant: dict[str, int] = {}
        self._busy_until = -math.inf
        self._since: dict[str, float] = {}  # persistence timers
        self._fired: set[str] = set()
        self._clean_reps = 0
        self.spoken: list[Cue] = []

    # -- events ------------------------------------------------------------------------------
    def push(self, ev: Event) -> None:
        if self.verbosity == "silent":
            return
        if self.verbosity == "counts" and ev.category not in ("count", "safety"):
            return
        if ev.category == "count":  # only the newest count matters
            self._pending = [p for p in self._pending if p.category != "count"]
        self._pending.append(ev)

    def condition(self, t: float, name: str, active: bool, category: str, reason: str) -> None:
        """A frame-level condition; pushed once it has lasted PERSIST_S[name]."""
        if not active:
            self._since.pop(name, None)
            self._fired.discard(name)
            return
        t0 = self._since.setdefault(name, t)
        if t - t0 >= PERSIST_S.get(name, 0.5) and name not in self._fired:
            self._fired.add(name)
            self.push(Event(name, category, t, reason))

    def observe(self, t: float, res) -> None:
        """Turn one pipeline FrameResult into events."""
        self.condition(t, "nobody", res.status == "no_person", "status", "nobody in frame")
        self.condition(t, "body_not_visible", res.status == "body_not_visible", "status",
                       "the landmarks the exercise needs are not visible")
        ex = self.ex
        if ex is not None and not math.isnan(res.driver_value):
            low = ex.safe_min is not None and res.driver_value < ex.safe_min
            high = ex.safe_max is not None and res.driver_value > ex.safe_max
            bound = f"< safe min {ex.safe_min:g}" if low else f"> safe max {ex.safe_max:g}" if high else ""
            self.condition(t, "safety", low or high, "safety", f"{ex.driver.metric if ex.driver else 'angle'} "
                           f"{res.driver_value:.0f} {bound}")
        for name in getattr(res, "active_faults", ()):  # holds: faults already persistent
            rule = next((r for r in ex.rules if r.id == name), None) if ex else None
            if rule is not None:
                self.push(Event(f"form:{name}", "form", t, f"{name} (hold)", text=rule.cue.as_dict()))
        for rep in getattr(res, "new_reps", ()):
            self._rep(t, rep, res.reps)

    def _rep(self, t: float, rep, total: int) -> None:
        faults = [f for f in rep.faults if f.id != "incomplete_range"]
        if not rep.partial:
            self.push(Event("rep_count", "count", t, f"rep {total} completed", {"n": total}))
        else:
            self.push(Event("partial", "form", t, rep.partial_reason or "partial rep"))
        for f in faults:
            rule = next((r for r in self.ex.rules if r.id == f.id), None) if self.ex else None
            if rule is not None:
                self.push(Event(f"form:{f.id}", "form", t, f"{f.id}: measured {f.measured}, target {f.target}",
                                text=rule.cue.as_dict()))
        if self.ex is not None and self.ex.tempo is not None and not rep.partial:
            want = self.ex.tempo.down + self.ex.tempo.bottom + self.ex.tempo.up
            got = (rep.tempo_down or 0.0) + (rep.tempo_bottom or 0.0) + (rep.tempo_up or 0.0)
            if want > 0 and got < TEMPO_FAST * want:
                self.push(Event("tempo_fast", "tempo", t, f"rep took {got:.1f} s, prescribed {want:.1f} s"))
            elif want > 0 and got > TEMPO_SLOW * want:
                self.push(Event("tempo_slow", "tempo", t, f"rep took {got:.1f} s, prescribed {want:.1f} s"))
        if not rep.partial and not faults:
            self._clean_reps += 1
            if self._clean_reps % 4 == 0:
                self.push(Event("encouragement", "encouragement", t, f"{self._clean_reps} clean reps"))

    # -- choosing what to say -----------------------------------------------------------------
    def poll(self, t: float) -> Cue | None:
        """The cue to start now, or None (busy, nothing useful, or everything expired)."""
        self._pending = [e for e in self._pending if t - e.t_s <= TTL_S[e.category]]
        if t < self._busy_until or not self._pending:
            return None
        ready = [e for e in self._pending
                 if t - self._last_spoken.get(e.key, -math.inf) >= COOLDOWN_S[e.category]]
        # events still cooling down are dropped, not delayed: a correction repeated 10 s late is noise
        self._pending = [e for e in self._pending if e in ready]
        if not ready:
            return None
        ev = min(ready, key=lambda e: (PRIORITY[e.category], e.t_s))
        self._pending.remove(ev)
        text = self._text(ev)
        dur = max(0.4, len(text) * SECONDS_PER_CHAR[self.lang])
        cue = Cue(t, text, ev.category, ev.reason, ev.key, dur)
        self._busy_until = t + dur
        self._last_spoken[ev.key] = t
        self._last_text = text
        self.spoken.append(cue)
        return cue

    def _text(self, ev: Event) -> str:
        if ev.text is not None:
            options = [ev.text[self.lang]]
        else:
            options = self.phrases.variants(ev.key, self.lang)
        n = ev.params.get("n")
        fill = {"n": self.phrases.number(n, self.lang) if (ev.key == "rep_count" and n) else n,
                "name": self.ex.name.get(self.lang) if self.ex else ""}
        texts = [o.format(**fill) for o in options]
        k = self._variant.get(ev.key, 0)
        for i in range(len(texts)):
            cand = texts[(k + i) % len(texts)]
            if cand != self._last_text:
                self._variant[ev.key] = (k + i + 1) % len(texts)
                return cand
        return texts[k % len(texts)]  # a single-variant phrase said twice in a row (e.g. a count)

    def session_event(self, t: float, key: str, **params) -> None:
        """Set start / set end / rest countdown, from whoever runs the session."""
        self.push(Event(key, "session", t, key.replace("_", " "), params))

    def rest(self, t: float, seconds: int) -> None:
        """Start of a rest between sets: "Rest. 60 seconds"."""
        self.session_event(t, "rest", n=int(seconds))

    def texts_for_session(self) -> list[str]:
        """Everything this session may say, for synthesis before it starts."""
        out = set(self.phrases.all_texts(self.lang))
        if self.ex is not None:
            out |= {r.cue.get(self.lang) for r in self.ex.rules}
            for v in self.phrases.variants("set_start", self.lang):
                out.add(v.format(name=self.ex.name.get(self.lang), n=""))
        return sorted(out)
