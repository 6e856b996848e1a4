"""Simulated trainees for the planner: who they are, how they respond to training.

Model (documented so the planner's training data can be judged):
- Fitness-fatigue impulse response (Banister): each session's load w (sets x reps x a tempo
  factor, relative to the trainee's capacity) raises fitness and fatigue, which decay with time
  constants tau_fit (~42 days) and tau_fat (~7 days). Performance = 1 + k_fit * fitness -
  k_fat * fatigue, multiplying the trainee's base capacity: the reps they can do with good form
  at the prescribed tempo. Individual variation: base capacity, k's, taus.
- Tempo: a slower tempo than 4 s per rep costs capacity (about 5 % per extra second).
- Form: the chance of a faulty rep grows as a set nears the trainee's capacity and with
  fatigue, scaled by an individual fault tendency; reps beyond capacity are not achieved.
- Pain: individual sensitivity; pain (0-10) rises when a session's load jumps above the recent
  average, and with reps beyond capacity. Pain >= 7 is a safety event.
- Adherence: each planned session is skipped with an individual probability.
Everything is driven by an explicit seed: the same trainee and plan give the same history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Trainee:
    seed: int
    base_capacity: float  # reps with good form at 4 s/rep, fresh
    k_fit: float
    k_fat: float
    tau_fit: float
    tau_fat: float
    fault_tendency: float  # 0.2 .. 1.5
    pain_sensitivity: float  # 0 .. 1
    adherence: float  # probability of doing a planned session
    fitness: float = 0.0
    fatigue: float = 0.0
    day: float = 0.0
    recent_loads: list[float] = field(default_factory=list)

    @classmethod
    def sample(cls, seed: int) -> "Trainee":
        r = np.random.default_rng(seed)
        return cls(seed, float(r.uniform(6, 22)), float(r.uniform(0.08, 0.16)), float(r.uniform(0.12, 0.25)),
                   float(r.uniform(30, 50)), float(r.uniform(5, 9)), float(r.uniform(0.2, 1.5)),
                   float(r.uniform(0.0, 1.0)), float(r.uniform(0.7, 0.98)))

    def advance(self, days: float) -> None:
        self.fitness *= math.exp(-days / self.tau_fit)
        self.fatigue *= math.exp(-days / self.tau_fat)
        self.day += days

    def capacity(self, tempo_s: float = 4.0) -> float:
        perf = max(0.3, 1.0 + self.k_fit * self.fitness - self.k_fat * self.fatigue)
        return self.base_capacity * perf * max(0.5, 1.0 - 0.05 * max(0.0, tempo_s - 4.0))

    def fault_p(self, i: int, cap: float) -> float:
        near = (i + 1) / max(cap, 1.0)
        return min(0.9, self.fault_tendency * (0.05 + 0.35 * near ** 3 + 0.1 * self.fatigue))

    def good_form_capacity(self, tempo_s: float = 4.0, sets: int = 1) -> float:
        """Reps per set this trainee can do now, in every set, with at most 20 % faulty reps."""
        cap = self.capacity(tempo_s) * (1.0 - 0.06 * (sets - 1))
        best = 0
        for r in range(1, int(cap) + 1):
            if np.mean([self.fault_p(i, cap) for i in range(r)]) <= 0.2:
                best = r
        return float(best)

    def do_session(self, sets: int, reps: int, tempo_s: float, rng: np.random.Generator) -> dict:
        """Perform sets x reps; returns what a session log would hold."""
        achieved, faults, total = [], 0, 0
        cap0 = self.capacity(tempo_s)
        for k in range(sets):
            cap = cap0 * (1.0 - 0.06 * k)  # later sets are harder
            got = int(min(reps, max(0, round(cap + rng.normal(0, 0.8)))))
            achieved.append(got)
            for i in range(got):
                faults += int(rng.random() < self.fault_p(i, cap))
            total += got
        load = sum(achieved) * (tempo_s / 4.0) / max(self.base_capacity, 1.0)
        avg = float(np.mean(self.recent_loads[-6:])) if self.recent_loads else load
        jump = max(0.0, load / max(avg, 1e-6) - 1.15)
        over = max(0.0, reps - cap0) / max(cap0, 1.0)
        pain = float(np.clip(self.pain_sensitivity * (6.0 * jump + 5.0 * over) + rng.normal(0, 0.5), 0, 10))
        self.recent_loads.append(load)
        self.fitness += load
        self.fatigue += load
        score = 100.0 * (1.0 - faults / max(total, 1)) * min(1.0, 0.7 + 0.3 * min(achieved, default=0) / max(reps, 1))
        rpe = float(np.clip(10.0 * reps / max(cap0, 1.0), 1, 10))
        return {"day": self.day, "sets": sets, "reps": reps, "tempo_s": tempo_s, "achieved": achieved,
                "faults": faults, "total": total, "score": round(score, 1), "pain": round(pain, 1),
                "rpe": round(rpe, 1), "capacity": cap0}
