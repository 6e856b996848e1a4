"""`fitcoach train scorer|planner`: train a model shipped in models/ (`fitcoach.train`, the
'train' extra), write its model card and, for the default output, update models/manifest.toml.
Runs for minutes; `--workers` processes generate the synthetic training data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import CommandArgs
from fitcoach.core.errors import FitCoachError


@dataclass(frozen=True)
class TrainArgs(CommandArgs):
    what: str  # scorer or planner
    takes: int  # synthetic takes per exercise
    heldout_takes: int
    epochs: int
    seed: int
    workers: int
    exercise: tuple[str, ...] | None  # None: all
    out: str | None  # None: the shipped file (and the manifest and card are updated)
    card: str | None
    report: str | None  # the full metrics as JSON
    shared: str | None  # the folder with datasets/ (default ../shared)
    no_real: bool
    no_cv: bool
    cache: str | None


def run(args: TrainArgs) -> int:
    """Train the model, then print its held-out figures (and write the card and report)."""
    try:
        from fitcoach.train import card, realdata  # noqa: F401  (the extra is there)
        from fitcoach.train.scorer import train  # noqa: F401
    except ImportError as e:
        raise FitCoachError(f"training needs the 'train' extra (pip install -e '.[train]'): {e}") from None
    if args.what == "planner":
        return _train_planner(args)
    return _train_scorer(args)


def _train_planner(args: TrainArgs) -> int:
    from fitcoach.core.models import models_dir
    from fitcoach.train import card
    from fitcoach.train import planner as tp

    out = Path(args.out) if args.out else models_dir() / "planner.onnx"
    rep = tp.train(out, seed=args.seed)
    command = "fitcoach train planner" + (f" --seed {args.seed}" if args.seed else "")
    tp.write_card(out.with_suffix(".md"), out, rep, command)
    if args.out is None:
        card.update_manifest(out.parent / "manifest.toml", out, rep, name="planner")
    a, b = rep["rules_only"], rep["rules_plus_ann"]
    print(f"{out}: capacity MAE {rep['capacity_mae_heldout']} reps (held-out); good-form sets per trainee: "
          f"rules {a['good_sets_mean']}, rules+network {b['good_sets_mean']}; violations {a['safety_violations']} / "
          f"{b['safety_violations']}")
    if args.report:
        Path(args.report).write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")
    return 0


def _train_scorer(args: TrainArgs) -> int:
    from fitcoach.core.models import models_dir
    from fitcoach.core.resources import checkout_dir
    from fitcoach.train import card
    from fitcoach.train.scorer import train

    out = Path(args.out) if args.out else models_dir() / "form_scorer.onnx"
    checkout = checkout_dir()  # ../shared sits next to a source checkout; an installed wheel has none
    shared = Path(args.shared) if args.shared else (checkout.parent / "shared" if checkout else None)
    ds = shared / "datasets" if shared else None
    # real labelled reps (UI-PRMD) join the training set when ../shared is there
    train_shared = shared if ds is not None and (ds / "ui-prmd-s01-s05").is_dir() and not args.no_real else None
    report = train(out, takes=args.takes, heldout_takes=args.heldout_takes, seed=args.seed, epochs=args.epochs,
                   workers=args.workers, exercises=list(args.exercise) if args.exercise else None,
                   shared=train_shared, cache=Path(args.cache) if args.cache else None,
                   cross_validation=not args.no_cv)
    real = _real_evaluation(out, ds) if ds is not None and ds.is_dir() and not args.no_real else None
    command = "fitcoach train scorer" + (f" --takes {args.takes}" if args.takes != 100 else "") + \
        (f" --seed {args.seed}" if args.seed else "") + (" --no-real" if args.no_real else "") + \
        (" --no-cv" if args.no_cv else "")
    if args.card or args.out is None:
        card_path = Path(args.card) if args.card else out.with_suffix(".md")
        card.write_card(card_path, out, report, real, command)
        print(f"model card: {card_path}")
    if args.out is None:
        card.update_manifest(out.parent / "manifest.toml", out, report)
    h = report["heldout"]
    print(f"{out}: {report['train_reps']} training reps, held-out {report['heldout_reps']}: "
          f"score MAE {h['score_mae']}, fault AUCs " +
          ", ".join(f"{f} {d['auc']}" for f, d in sorted(h["faults"].items()) if d["auc"] is not None))
    if args.report:
        Path(args.report).write_text(json.dumps({"report": report, "real": real}, indent=1) + "\n", encoding="utf-8")
    return 0


def _real_evaluation(out: Path, ds: Path) -> dict:
    """The trained scorer on the real datasets of ../shared/datasets (for the model card)."""
    from fitcoach.core.scorer import FormScorer
    from fitcoach.train import realdata

    scorer = FormScorer(out)
    return {"pose_trainer": realdata.pose_trainer(ds / "pose-trainer", scorer),
            "exercise_correction": {**realdata.exercise_correction(ds / "exercise-correction-mediapipe"),
                                    **realdata.plank_vay(ds / "plank-keypoints-vay")}}
