"""FitCoach: an offline, privacy-first exercise coach.

The package is split so that the core (`fitcoach.core`) never imports Qt: everything a
tester or a test needs runs headless.
"""

__version__ = "0.1.0"
