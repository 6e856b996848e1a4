"""Headless core of FitCoach: frame sources, pose backends, signal processing, exercises,
rep tracking and the per-frame pipeline. Pure Python + numpy (+ OpenCV/MediaPipe at the edges);
never imports Qt."""
