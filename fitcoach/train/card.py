"""Write the form scorer's model card (markdown) and its manifest entry from a training report."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))


DATASETS = [  # (folder, what, source, terms, use)
    ("ui-prmd-s01-s05", "UI-PRMD subjects 1–5: 10 rehab movements, each rep done correctly and incorrectly on purpose "
     "(Vicon markers, seen by a virtual camera)", "Vakanski et al., Data 2018 (University of Idaho), via "
     "github:niemasd/UI-PRMD-Analysis @ 2c5bf13", "published by its authors for research; cite the paper",
     "**training** (all five subjects) and leave-one-subject-out validation"),
    ("pushfit-mediapipe", "PushFit push-up clips, MediaPipe landmarks, correct/wrong per clip",
     "github:riyer8/cs231n-pushfit @ 63832a8 (videos from three Kaggle sets)", "unknown (no licence file)",
     "evaluation only, never trained on"),
    ("pose-trainer", "Pose Trainer: OpenPose keypoints, good/bad per video (curl, front raise, press, shrug)",
     "github:stevenzchen/pose-trainer @ 7d54c52 (Chen & Yang 2018)", "GPL-3.0 (data not copied; evaluation only)",
     "evaluation only"),
    ("exercise-correction-mediapipe", "Exercise-Correction: MediaPipe frames with per-frame mistake labels "
     "(plank high/low hips, curl lean-back, lunge knee over toe)", "github:NgoQuocBao1010/Exercise-Correction @ 202a0a8",
     "MIT", "evaluation of the rule metrics (frames carry no video or subject id, so no rep-level training)"),
    ("plank-keypoints-vay", "VAY plank frames, labels from a thresholded hip angle",
     "github:Vollkorn01/Deep-Learning-Fitness-Exercise-Correction-Keras @ 5c01b1f", "unknown (no licence)",
     "evaluation only"),
    ("irds-partial", "IRDS: 3 patients' upper-limb rehab reps (Kinect v2), correct/incorrect",
     "github:ScalarJerk/366 @ 289d8e2 (Miron et al. 2021)", "reported CC BY 4.0, not verified",
     "not used yet (needs a Kinect-25 to MediaPipe-33 mapping)"),
]


def write_card(path: Path, onnx_path: Path, report: dict, real: dict | None, command: str) -> None:
    """Write the model card (markdown) of `onnx_path` from its training `report` and the other
    real data's figures (`real`, None without ../shared); `command` is how it was made."""
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    lines = (_what_it_does(report, digest, command) + _model_text() + _data_and_terms(report)
             + _exercise_basis(report) + _real_folds(report) + _pushfit(report) + _synthetic_eval(report)
             + _other_real(real) + _limits_and_reproduce(command))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _what_it_does(report: dict, digest: str, command: str) -> list[str]:
    """The card's title, provenance line and what the model's outputs mean."""
    return [
        "# Model card: FitCoach form scorer (`form_scorer.onnx`)",
        "",
        f"sha256 `{digest}`, {report['bytes']:,} bytes, licence Apache-2.0. Made by `{command}`",
        f"(seed {report['seed']}, {report['takes']} takes per exercise, {report['epochs']} epochs; "
        f"{report['seconds']:.0f} s on this machine's CPU, "
        f"{'some data read from a cache' if report.get('cached_data') else 'data generation included'}).",
        "",
        "## What it does",
        "For one repetition it gives a quality score 0–100 and a probability for each form fault",
        "that applies to the exercise. `fitcoach analyze` puts the score in `reps[].score`; each",
        "reported fault keeps the rule's measured value and target from the exercise file and adds",
        "the model's probability (`confidence`) and where the verdict came from (`source`: `rule`,",
        "`rule+model`, or `model` when the model is sure, p ≥ 0.85, though the rule did not fire).",
        "Holds (plank, side plank) are judged by their rules only.",
        "",
        "Each rep also gets `score_basis` (`real`: this exercise's score was learnt from real",
        "labelled reps; `synthetic`: only from the generator) and `score_reasons`: up to three",
        "measures furthest outside the range correct reps of the exercise show (5th–95th percentile,",
        "per camera view where there are enough reps, ranges in the model's `reference_ranges`",
        "metadata), e.g. `knee angle (smaller side), lowest in the rep 118°; correct reps: 85–100°`.",
        "Ranges come from real correct reps where the exercise has real data, from clean synthetic",
        "reps otherwise. Only measures that the exercise's incorrect reps leave more often than its",
        "correct ones (by ≥ 0.15, at most 8) are offered, and only when at least one range width",
        "outside. Share of reps given a reason, correct / incorrect: " + _reason_rates(report) + ".",
        "The HUD's rep line shows the first two.",
        "",
    ]


def _model_text() -> list[str]:
    """The network's design and why one shared network."""
    return [
        "## Model: a temporal network over the whole rep",
        "Input: the rep's 25 per-frame measures resampled at 10 points evenly spaced in the rep's time",
        "(a fixed-length sequence: a slow and a fast rep line up), plus the fraction of frames each was",
        "missing, the view, the exercise and the duration. The graph first pools the sequence over",
        "time (each measure's lowest and highest value: ONNX Slice, Reshape, ReduceMin, ReduceMax) and",
        "concatenates that with the sequence. Two small networks read it, each input → 64 → 64 (ReLU;",
        "sigmoid outputs):",
        "- the *synthetic part* → 1 + K (quality and the K fault probabilities), trained on synthetic",
        "  reps only, weight decay 1e-4 (the recipe before real data, so the fault probabilities and the",
        "  synthetic-only exercises keep what they learnt);",
        "- the *real part* → 1 (quality), trained on the synthetic quality labels plus the real labelled",
        "  reps, weight decay 1e-2 (chosen by leave-one-subject-out among 1e-4, 1e-3, 1e-2, 3e-2).",
        "The score of an exercise with real data comes from the real part (a fixed 0/1 selector on the",
        "exercise one-hot), every other output from the synthetic part. Trained with numpy (Adam,",
        "float64, batch 256, seeded) and exported with standardisation folded into each first Gemm",
        "(opset 17). Run time: onnxruntime only; the input contract (feature layout version, vector",
        "length, exercise and fault lists, reference ranges) is checked when the model loads.",
        "",
        "Both parts are shared by all exercises, with an exercise one-hot (a learnt exercise embedding",
        "in the first layer), rather than one network per exercise family: real labelled data exist for",
        "10 exercises only, ~90 reps each from 5 people. A shared network learns the movement measures",
        "(knee, hip, trunk, arm angles) across exercises; per-family networks would each see a few",
        "hundred real reps from 5 people at most.",
        "",
    ]


def _data_and_terms(report: dict) -> list[str]:
    """Every dataset with its terms, the synthetic data, the real training reps and the faults."""
    lines = [
        "## Data and terms",
        "",
        "| dataset (`../shared/datasets/…`) | what | source | terms | use here |",
        "|---|---|---|---|---|",
    ]
    for folder, what, src, terms, use in DATASETS:
        lines.append(f"| `{folder}` | {what} | {src} | {terms} | {use} |")
    lines += [
        "",
        f"Synthetic (always): `fitcoach/core/synth.py` + `synth_faults.py`, {len(report['exercises'])} rep exercises, "
        f"3 reps per take, {report['train_reps']} training reps. Each take: body proportions scaled 0.88–1.12",
        "with ±5 % per segment, camera from the exercise's recommended views (yaw jitter ±12°,",
        "elevation 0–20°, distance 2.6–3.6 m), tempo ×0.6–1.4, 15/24/30 fps, MediaPipe-like noise,",
        "slow jitter, visibility drops and missed frames. Each rep gets each of its exercise's faults",
        "with probability 0.3 (severity 0.4–1.0) and is shallow (45–70 % depth) with probability 0.2.",
        "Labels: the injected faults; `incomplete_range` = depth < 75 %; quality = 1 − 0.45 × Σ severity",
        "− a depth penalty. Every rep goes through the real pipeline (smoothing, rep tracker).",
        "",
    ]
    rs = report.get("real_sources", {}).get("uiprmd")
    if rs:
        lines += [
            f"Real: UI-PRMD, {rs['reps']} reps found by the pipeline in subjects {', '.join(rs['subjects'])}' sets",
            f"(views: {', '.join(rs['views'])}: the tool's virtual camera, side or front by movement).",
            "Quality target 1 for a rep labelled correct, 0 for one labelled incorrect; fault",
            "targets unknown (masked). Each real rep weighs min(10, synthetic reps / real reps), so real",
            "and synthetic reps weigh about the same in total.",
            "",
        ]
    else:
        lines += ["Real: none (`../shared` was absent: synthetic only).", ""]
    lines += [f"Faults ({len(report['faults'])}): " + ", ".join(f"`{f}`" for f in report["faults"]) + ".", ""]
    return lines


def _exercise_basis(report: dict) -> list[str]:
    """Which exercises are scored from real labelled reps and which from the generator only."""
    lines: list[str] = []
    real_ex = report.get("real_exercises", [])
    synth_only = [e for e, b in sorted(report.get("score_basis", {}).items()) if b == "synthetic"]
    lines += ["## Exercises with and without real data", ""]
    lines.append("Scored from real labelled reps (`score_basis: \"real\"`): " +
                 (", ".join(f"`{e}`" for e in real_ex) if real_ex else "none") + ".")
    lines.append("")
    lines.append("No real data (`score_basis: \"synthetic\"`; their scores rest on the generator only): " +
                 (", ".join(f"`{e}`" for e in synth_only) if synth_only else "none") + ".")
    lines.append("")
    return lines


def _real_folds(report: dict) -> list[str]:
    """UI-PRMD leave-one-subject-out figures (none when there were no real reps)."""
    lines: list[str] = []
    cv = report.get("uiprmd_cv")
    if cv:
        lines += [
            "## Real held-out folds: UI-PRMD, leave one subject out",
            "Five models, each trained on the synthetic reps and four subjects (the same recipe), score the",
            "fifth subject's reps as the shared tool renders them. AUC: does a lower score mark the reps",
            "labelled incorrect? ECE: score/100 read as the probability of a correct rep (5 bins).",
            "",
            "| exercise | reps | incorrect | AUC | ECE |",
            "|---|---|---|---|---|",
        ]
        for ex, d in cv["per_exercise"].items():
            lines.append(f"| {ex} | {d['reps']} | {d['incorrect']} | {_fmt(d['auc'])} | {_fmt(d['ece'])} |")
        lines += ["", f"Mean AUC {_fmt(cv['mean_auc'])}, lowest {_fmt(cv['min_auc'])}; ECE over all reps {_fmt(cv['ece'])}.", ""]
    return lines


def _pushfit(report: dict) -> list[str]:
    """PushFit push-up figures per camera group (none without PushFit)."""
    lines: list[str] = []
    pf = report.get("pushfit")
    if pf:
        lines += [
            "## PushFit push-ups (never trained on)",
            "Per camera group (resolution as a proxy). Rep AUC: per rep; clip AUC: mean rep score per clip.",
            "",
            "| camera group | clips (wrong) | clips with a rep | reps | rep AUC | clip AUC | rep ECE |",
            "|---|---|---|---|---|---|---|",
        ]
        for g, d in pf.items():
            lines.append(f"| {g} | {d['clips']} ({d['wrong_clips']}) | {d['clips_with_reps']} | {d['reps']} | "
                         f"{_fmt(d['auc_rep'])} | {_fmt(d['auc_clip'])} | {_fmt(d['ece_rep'])} |")
        lines.append("")
    return lines


def _synthetic_eval(report: dict) -> list[str]:
    """Where the sources disagree, and the held-out synthetic figures per fault."""
    lines: list[str] = []
    h, t = report["heldout"], report["train"]
    lines += [
        "## Where sources disagree about \"incorrect\"",
        "- UI-PRMD's incorrect takes are healthy subjects imitating typical patient errors on purpose",
        "  (per movement, not itemised per rep); PushFit's \"wrong\" is",
        "  any bad form in a clip (sagging hips, partial range, …); Pose Trainer's \"bad\" is per video and",
        "  names no fault. The score is trained on UI-PRMD's meaning only.",
        "- Partial range: the synthetic labels and PushFit count a shallow rep as a fault; UI-PRMD",
        "  labels a whole take, whatever each rep's depth.",
        "- VAY plank labels come from a thresholded hip angle and order high/low the opposite way to",
        "  our metric, while Exercise-Correction's labelled plank frames agree with it (table below).",
        "",
        "## Held-out synthetic evaluation",
        f"{report['heldout_reps']} reps from takes the model never saw, with **unseen body proportions**",
        "(scale 0.80–0.86 or 1.14–1.20) and an **unseen camera elevation** (25–32°).",
        "",
        f"Quality score: mean absolute error {_fmt(h['score_mae'])} points (training {_fmt(t['score_mae'])}),",
        f"correlation with the label {_fmt(h['score_corr'])}.",
        "By view (score MAE): " + ", ".join(f"{v} {d['score_mae']} (n={d['n']})" for v, d in h["by_view"].items()) + ".",
        "",
        "| fault | reps | with fault | AUC | ECE | accuracy @ 0.5 |",
        "|---|---|---|---|---|---|",
    ]
    for f, d in sorted(h["faults"].items()):
        lines.append(f"| `{f}` | {d['n']} | {d['positives']} | {_fmt(d['auc'])} | {_fmt(d['ece'])} | {_fmt(d['accuracy@0.5'])} |")
    return lines


def _other_real(real: dict | None) -> list[str]:
    """Pose Trainer and Exercise-Correction figures (evaluation only)."""
    lines: list[str] = []
    lines += ["", "## Other real data (never trained on)", ""]
    if real is None:
        lines.append("`../shared/datasets` was not present when this card was written.")
    else:
        pt = real.get("pose_trainer", {})
        lines += [
            "**Pose Trainer** (OpenPose COCO-18 keypoints mapped onto MediaPipe's points; one good/bad",
            "label per video; no world landmarks; 1280×720 and 30 fps assumed). AUC: does a lower",
            "mean rep score mark the bad videos?",
            "",
            "| exercise | videos (good/bad) | with a rep found | AUC bad vs good | mean score good / bad | rule faults per video good / bad |",
            "|---|---|---|---|---|---|",
        ]
        for ex, d in pt.items():
            lines.append(
                f"| {ex} | {d['videos']} ({d['good']}/{d['bad']}) | {d['videos_with_reps']} | {_fmt(d['auc_bad_vs_good'])} | "
                f"{_fmt(d['mean_score_good'])} / {_fmt(d['mean_score_bad'])} | "
                f"{_fmt(d['rule_faults_per_video_good'])} / {_fmt(d['rule_faults_per_video_bad'])} |")
        ec = real.get("exercise_correction", {})
        lines += [
            "",
            "**Exercise-Correction** (MediaPipe landmarks per frame with a per-frame label; frame size",
            "1280×720 assumed). How well the metric behind each rule separates the classes, per frame:",
            "",
            "| classes | metric | frames | AUC |",
            "|---|---|---|---|",
        ]
        for name, d in ec.items():
            lines.append(f"| {name} | `{d['metric']}` | {d['frames']} | {_fmt(d['auc'])} |")
    return lines


def _limits_and_reproduce(command: str) -> list[str]:
    """Known limits and how to rebuild the model."""
    lines: list[str] = []
    lines += [
        "",
        "## Known limits",
        "- Real labelled reps: 5 people, 10 rehab movements, one virtual camera per movement (plus",
        "  re-projections). Other exercises are scored from synthetic motion only (list above).",
        "- Push-ups: the PushFit figures above are near or below chance (the push-up score rests on",
        "  synthetic reps only, and PushFit may not be trained on); far from the 0.9 goal.",
        "- Fault probabilities are learnt from the generator's faults only; no dataset here itemises",
        "  faults per rep with subject ids (Exercise-Correction labels frames, not reps).",
        "- The explanations compare against ranges of correct reps; they say where a rep differs from",
        "  those, not why the network's score is what it is.",
        "- Exercises added later as data have no score (null) until the scorer is retrained with them;",
        "  their rules still work.",
        "- The score is a relative quality estimate, not a clinical measure.",
        "",
        "## Reproduce",
        f"`{command}` (needs the `train` extra: `pip install -e .[train]`, and `../shared` beside the",
        "checkout or `--shared DIR`; without it the model is trained on synthetic reps only). Same seed,",
        "same data, same weights. `python bench/scorer_real.py` prints the real-data figures above",
        "next to the previous model's.",
    ]
    return lines


def _pct(d: dict | None) -> str:
    if not d or d.get("correct") is None or d.get("incorrect") is None:
        return "–"
    return f"{100 * d['correct']:.0f} % / {100 * d['incorrect']:.0f} %"


def _reason_rates(report: dict) -> str:
    out = f"synthetic held-out {_pct(report.get('reasons_synthetic_heldout'))}"
    if report.get("reasons_uiprmd_loso"):
        out += f"; UI-PRMD with ranges from the other subjects {_pct(report['reasons_uiprmd_loso'])}"
    return out


def _real_text(report: dict) -> str:
    rs = report.get("real_sources", {}).get("uiprmd")
    return f"UI-PRMD subjects 1-5, {rs['reps']} reps" if rs else "none"


def update_manifest(manifest: Path, onnx_path: Path, report: dict, name: str = "form_scorer") -> None:
    """Replace (or add) a trained model's [[model]] block in models/manifest.toml."""
    raw = onnx_path.read_bytes()
    if name == "form_scorer":
        detail = [
            'source_package = "trained in this repo: fitcoach train scorer"',
            f'training = "seed {report["seed"]}, {report["takes"]} takes per exercise, {report["epochs"]} epochs; '
            f'real labelled reps: {_real_text(report)}"',
            'input = "features: float32 [N, D], fitcoach.rep-features/1 (D in the model metadata)"',
            'output = "outputs: float32 [N, 1 + K]: quality 0..1, then one probability per fault (list in metadata)"',
        ]
    else:
        detail = [
            'source_package = "trained in this repo: fitcoach train planner"',
            f'training = "seed {report["seed"]}, {report["trainees"]} simulated trainees, {report["epochs"]} epochs"',
            'input = "features: float32 [N, 12], fitcoach.planner-features/1"',
            'output = "outputs: float32 [N, 1]: reps per set with good form / 30"',
        ]
    block = "\n".join(["[[model]]", f'name = "{name}"', f'file = "{onnx_path.name}"',
                       f'sha256 = "{hashlib.sha256(raw).hexdigest()}"', f"size_bytes = {len(raw)}", 'kind = "onnx"',
                       *detail, 'license = "Apache-2.0"', f'card = "{onnx_path.with_suffix(".md").name}"']) + "\n"
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else "schema_version = 1\n"
    parts = re.split(r"(?m)^(?=\[\[model\]\])", text)
    kept = [p for p in parts if f'name = "{name}"' not in p]
    out = "".join(kept).rstrip("\n") + "\n\n" + block
    manifest.write_text(out, encoding="utf-8")
