"""Build the PoseLandmarker `.task` bundles that ship in `models/`, from registry packages only.

Run by `packaging/build_pose_models.sh`, inside a throwaway environment with mediapipe 0.10.21
(the last release whose metadata writer works: later wheels lack its native
`_pywrap_metadata_version` module). The app itself runs a newer mediapipe; the bundles work in
every release from 0.10.21 on.

Recipe:
1. Take the raw TFLite graphs: `pose_detection.tflite` and `pose_landmark_full.tflite` from the
   mediapipe 0.10.21 wheel, `pose_landmark_lite.tflite` / `pose_landmark_heavy.tflite` from the
   npm package `@mediapipe/pose`.
2. They carry no TFLite metadata, which the Tasks API needs ("requires specifying
   NormalizationOptions metadata"). Add it with mediapipe's metadata writer: an image input with
   normalisation (detector: mean 127.5, std 127.5 -> [-1, 1]; landmark model: mean 0, std 255 ->
   [0, 1]) and one feature output per output tensor.
3. Zip them as a `.task` bundle: `pose_detector.tflite` + `pose_landmarks_detector.tflite`,
   STORED (uncompressed: MediaPipe maps them in place), fixed order, fixed timestamps and
   permissions, so the same inputs always give the same sha256.
4. Write `models/manifest.toml` with each file's sha256, size, sources and contract.

Usage: python build_pose_models.py --wheel-dir DIR --npm-dir DIR --out models/ [--heavy]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile
from pathlib import Path

WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_FULL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
NPM_LANDMARK = "package/pose_landmark_{variant}.tflite"

DETECTOR_NORM = (127.5, 127.5)
LANDMARK_NORM = (0.0, 255.0)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def n_outputs(model: bytes) -> int:
    from mediapipe.tasks.python.metadata.metadata_writers import writer_utils

    return len(writer_utils.get_output_tensor_names(model))


def add_metadata(model: bytes, mean: float, std: float, name: str) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    w = metadata_writer.MetadataWriter.create(bytearray(model))
    w.add_general_info(name, "MediaPipe BlazePose graph with metadata added by FitCoach's build")
    w.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in range(n_outputs(model)):
        w.add_feature_output()
    out, _json = w.populate()
    return bytes(out)


def bundle(detector: bytes, landmarks: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarks)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data)
    return buf.getvalue()


CONTRACT = """input = "RGB image, any size (resized internally): detector 224x224 normalised to [-1, 1] (mean 127.5, std 127.5); landmark model 256x256 normalised to [0, 1] (mean 0, std 255)"
output = "per person: 33 image landmarks (x, y normalised to the frame, z relative depth, visibility, presence) and 33 world landmarks (metres, hip-centred); up to num_poses people"
running_mode = "IMAGE, VIDEO or LIVE_STREAM (FitCoach uses VIDEO)"
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel-dir", required=True, type=Path, help="unpacked mediapipe 0.10.21 wheel")
    ap.add_argument("--npm-dir", required=True, type=Path, help="unpacked @mediapipe/pose npm tarball")
    ap.add_argument("--wheel-version", default="0.10.21")
    ap.add_argument("--npm-version", required=True)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--heavy", action="store_true", help="also build pose_landmarker_heavy.task (~30 MB)")
    args = ap.parse_args()

    detector_raw = (args.wheel_dir / WHEEL_DETECTOR).read_bytes()
    detector = add_metadata(detector_raw, *DETECTOR_NORM, "pose_detector")
    sources = {
        "lite": (args.npm_dir / NPM_LANDMARK.format(variant="lite"), f"npm:@mediapipe/pose@{args.npm_version}", NPM_LANDMARK.format(variant="lite")),
        "full": (args.wheel_dir / WHEEL_FULL, f"pypi:mediapipe=={args.wheel_version}", WHEEL_FULL),
        "heavy": (args.npm_dir / NPM_LANDMARK.format(variant="heavy"), f"npm:@mediapipe/pose@{args.npm_version}", NPM_LANDMARK.format(variant="heavy")),
    }
    variants = ["lite", "full"] + (["heavy"] if args.heavy else [])
    args.out.mkdir(parents=True, exist_ok=True)
    entries = []
    for v in ["lite", "full", "heavy"]:
        path, pkg, inner = sources[v]
        fname = f"pose_landmarker_{v}.task"
        target = args.out / fname
        if v in variants:
            lm = add_metadata(path.read_bytes(), *LANDMARK_NORM, f"pose_landmarks_detector_{v}")
            data = bundle(detector, lm)
            target.write_bytes(data)
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
            print(f"{fname}: {size} bytes, sha256 {digest}")
        elif target.exists():
            data = target.read_bytes()
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        else:
            digest, size = None, None
        lines = [
            "[[model]]",
            f'name = "pose_landmarker_{v}"',
            f'file = "{fname}"',
        ]
        if digest:
            lines += [f'sha256 = "{digest}"', f"size_bytes = {size}"]
        if v == "heavy":
            lines.append("optional = true  # not shipped; build with packaging/build_pose_models.sh --heavy")
        lines += [
            'kind = "mediapipe-pose-landmarker"',
            f'source_package = "{pkg}"',
            f'source_path = "{inner}"',
            f'detector_source = "pypi:mediapipe=={args.wheel_version}:{WHEEL_DETECTOR}"',
            'license = "Apache-2.0"',
            'built_by = "packaging/build_pose_models.sh (metadata added with mediapipe 0.10.21\'s metadata writer)"',
        ]
        entries.append("\n".join(lines) + "\n" + CONTRACT)
    manifest = (
        "# Model files shipped with FitCoach. Checked by `fitcoach models verify`.\n"
        "# Nothing is downloaded at run time; rebuild the pose bundles with packaging/build_pose_models.sh.\n"
        "schema_version = 1\n\n" + "\n".join(entries)
    )
    old = args.out / "manifest.toml"
    if old.exists():  # keep the entries of models trained in this repo (form scorer, planner)
        import re

        blocks = re.split(r"(?m)^(?=\[\[model\]\])", old.read_text(encoding="utf-8"))
        kept = [b for b in blocks if b.startswith("[[model]]") and 'name = "pose_landmarker_' not in b]
        if kept:
            manifest += "\n" + "".join(kept)
    (args.out / "manifest.toml").write_text(manifest, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
