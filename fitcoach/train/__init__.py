"""Training code for the models FitCoach ships (needs the optional `train` extra: onnx)."""
