"""Offline speech for the voice coach: pyttsx3 (espeak-ng) synthesis into a WAV cache, and
non-blocking playback. The cue *decisions* live in `fitcoach.core.cues`."""
