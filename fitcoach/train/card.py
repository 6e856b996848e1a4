"""Write the form scorer's model card (markdown) and its manifest entry from a training report."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))


def write_card(path: Path, onnx_path: Path, report: dict, real: dict | None, command: str) -> None:
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    h, t = report["heldout"], report["train"]
    lines = [
        "# Model card: FitCoach form scorer (`form_scorer.onnx`)",
        "",
        f"sha256 `{digest}`, {report['bytes']:,} bytes, licence Apache-2.0. Made by `{command}`",
        f"(seed {report['seed']}, {report['takes']} takes per exercise, {report['epochs']} epochs; "
        f"{report['seconds']:.0f} s on this machine's CPU).",
        "",
        "## What it does",
        "For one repetition it gives a quality score 0–100 and a probability for each form fault",
        "that applies to the exercise. `fitcoach analyze` puts the score in `reps[].score`; each",
        "reported fault keeps the rule's measured value and target from the exercise file and adds",
        "the model's probability (`confidence`) and where the verdict came from (`source`: `rule`,",
        "`rule+model`, or `model` when the model is sure, p ≥ 0.85, though the rule did not fire).",
        "Holds (plank, side plank) are judged by their rules only.",
        "",
        "## Model",
        "A multilayer perceptron, features → 64 → 64 → 1 + K (ReLU; sigmoid outputs), trained with",
        "numpy (Adam, float64, seeded) and exported as three ONNX Gemm layers (opset 17), input",
        "standardisation folded into the first layer. Run time: onnxruntime only; the input contract",
        "(feature layout version, vector length, exercise and fault lists in the metadata) is",
        "checked when the model loads.",
        "",
        "## Features (`fitcoach.rep-features/1`, `fitcoach/core/features.py`)",
        "25 per-frame measures (joint angles reduced to min/max over the two sides, trunk lean, body",
        "incline, hip-line offset, knee/ankle width ratios, shoulder tilt and elevation, heel lift,",
        "knee valgus, pelvic obliquity, craniovertebral angle, …), each resampled at 10 points over",
        "the rep's time (time normalisation), plus the fraction of frames each was missing, the view",
        "(front/side/oblique), the exercise (one-hot) and the rep's duration.",
        "",
        "## Training data",
        f"Synthetic only: `fitcoach/core/synth.py` + `synth_faults.py`. {len(report['exercises'])} rep exercises, "
        f"3 reps per take, {report['train_reps']} training reps. Each take: body proportions scaled 0.88–1.12",
        "with ±5 % per segment, camera from the exercise's recommended views (yaw jitter ±12°,",
        "elevation 0–20°, distance 2.6–3.6 m), tempo ×0.6–1.4, 15/24/30 fps, MediaPipe-like noise,",
        "slow jitter, visibility drops and missed frames. Each rep gets each of its exercise's faults",
        "with probability 0.3 (severity 0.4–1.0) and is shallow (45–70 % depth) with probability 0.2.",
        "Labels: the injected faults; `incomplete_range` = depth < 75 %; quality = 1 − 0.45 × Σ severity",
        "− a depth penalty. Every rep goes through the real pipeline (smoothing, rep tracker), as at",
        "run time.",
        "",
        f"Faults ({len(report['faults'])}): " + ", ".join(f"`{f}`" for f in report["faults"]) + ".",
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
    lines += ["", "## Real data (never trained on)", ""]
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
        if any(k.startswith("VAY") for k in ec):
            lines += [
                "",
                "The VAY plank labels were computed by that project from a signed angle in y-down image",
                "coordinates (its `calculateAngle.py`), not judged by a coach. Our metric orders the VAY",
                "classes the opposite way (AUC well below 0.5, i.e. well above 0.5 with the labels swapped),",
                "while on the Exercise-Correction plank videos, labelled per video, it agrees with the labels.",
                "We read this as the VAY labels naming high and low the other way round; we report the",
                "numbers as they are and did not flip anything.",
            ]
    lines += [
        "",
        "## Known limits",
        "- Trained on synthetic motion only. Real bodies, clothing and MediaPipe's own errors differ;",
        "  the real-data tables above are the honest measure, and they are small.",
        "- The generator's faults are simple joint-angle changes; faults it cannot express (e.g. a",
        "  wrist bending, breathing, speed inside one phase) are not learnt.",
        "- Side views hide one side of the body; world-landmark features are then missing and the",
        "  model relies on 2-D measures.",
        "- Exercises added later as data have no score (null) until the scorer is retrained with them;",
        "  their rules still work.",
        "- The score is a relative quality estimate, not a clinical measure.",
        "",
        "## Reproduce",
        f"`{command}` (needs the `train` extra: `pip install -e .[train]`). Same seed, same data,",
        "same weights.",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def update_manifest(manifest: Path, onnx_path: Path, report: dict, name: str = "form_scorer") -> None:
    """Replace (or add) a trained model's [[model]] block in models/manifest.toml."""
    raw = onnx_path.read_bytes()
    if name == "form_scorer":
        detail = [
            'source_package = "trained in this repo: fitcoach train scorer"',
            f'training = "seed {report["seed"]}, {report["takes"]} takes per exercise, {report["epochs"]} epochs"',
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
