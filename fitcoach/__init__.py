"""FitCoach: an offline, privacy-first exercise coach.

The package is split so that the core (`fitcoach.core`) never imports Qt: everything a
tester or a test needs runs headless.
"""

import os as _os

__version__ = "0.1.0"

# ONNX Runtime (1.32) starts a telemetry client when it is imported: it writes a device id and an
# event store under ~/.cache/Microsoft/DeveloperTools/ and, about 9 s later, makes DNS look-ups
# (its built-in collector is mobile.events.data.microsoft.com). `onnxruntime.disable_telemetry_events()`
# does not stop that; this variable, set before the import, does (measured with strace in a
# network namespace; packaging/build_bundle.sh checks it on the bundle). Forced, not defaulted:
# FitCoach sends nothing anywhere.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
