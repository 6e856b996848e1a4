"""I/O: everything that touches the user's world — cameras, video files and image folders, the
MediaPipe pose model at run time, landmark recordings and annotated videos on disk, the user's
settings, private files, the store. Imports the core and the languages, never the runner or the
front ends; the core never imports this package.
"""
