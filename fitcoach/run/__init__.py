"""One frame loop for every path (issue 15): a source, the pipeline and a list of sinks.

- `frames`: the frame iterators — `prefetched` (decode on its own thread, in order, nothing
  dropped: files), `paced` (a file delivered at its own speed, as a camera would) and
  `LatestWins` (a capture thread and a one-frame slot: live, frames the model cannot take are
  dropped and counted).
- `runner.Runner`: pulls frames, runs `Pipeline.step`, hands each result to its sinks in order
  (`sinks`: progress bar, landmark tape, cue engine, annotator, workout, store, voice,
  recording, callbacks). `cancel` stops it before the next frame.
- `worker.Worker`: a runner on a thread with a cancel event, a `State` and a typed outbox of
  `events` (`RepDone`, `CueSaid`, `SetChanged`, `LiveStatus`, `Saved`, `Failed(text,
  traceback)`, `Finished`) that the GUI polls from a timer; nothing crosses threads through Qt.
- `workout.run_workout`: the guided workout (`fitcoach workout`, the Workout page).

Nothing here imports Qt.
"""
