"""Application services: what the desktop app and the command line do, without Qt and without
argparse. The front ends (`fitcoach.gui`, `fitcoach.cli`) build their widgets or their output
around these; the logic (which prescription applies, where a recording goes, how a patient's
program is read and saved) lives here once, and the tests in `tests/core/test_app_*.py` drive
it without a display, a camera or a pose model.

- `database`: `Database`, the one history database (`Store`) of the process.
- `prescriptions`: `prescription_for` — today's plan, then the program, then the exercise.
- `sessions`: a guided workout prepared (recording paths, the voice, the `WorkoutJob`).
- `history`, `plans`, `profiles`, `programs`: reads and writes of the history the pages show.

May import the core, the I/O layer, the frame loop, the languages, the voice and the reports;
never Qt and never a front end (`tests/core/test_import_contracts.py`).
"""
