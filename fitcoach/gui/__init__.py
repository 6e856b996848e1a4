"""The desktop app (PySide6). The only package that imports Qt; `bridge.py` is the seam to the core."""
