"""The domain of FitCoach: the data model (frames, people, landmarks, exercises, programs,
records), the signal (smoothing, angles, metrics), counting and judging (the per-frame pipeline,
rep and hold trackers, the scorer), coaching, assessing, planning and the synthetic exerciser.
Pure Python + numpy; no Qt, no threads, no cameras or database (those are `fitcoach.io`); every
function takes explicit time. DEVELOPERS.md ("Layout") lists the modules by concern."""
