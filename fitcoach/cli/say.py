"""`fitcoach say TEXT`: speak one phrase with the offline voice (or write it to a WAV file), to
check that speech works on this machine. The engine runs on its own thread
(`fitcoach.voice.tts.Synthesizer`); this thread waits for it at most 60 s."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fitcoach.cli.common import CommandArgs
from fitcoach.io.private_files import write_private_bytes


@dataclass(frozen=True)
class SayArgs(CommandArgs):
    text: str  # checked by the parser (not blank, one phrase)
    lang: str
    out: str | None  # FILE.wav: write instead of playing
    rate: int  # words per minute
    volume: float  # 0-1


def run(args: SayArgs) -> int:
    """Speak (or write) one phrase with the offline voice: checks speech works on this machine."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from fitcoach.voice.player import Player
    from fitcoach.voice.tts import SpeechError, Synthesizer, wav_duration_s

    synth = Synthesizer(args.lang, args.rate, args.volume)  # text, rate, volume: checked by the parser
    try:
        path = synth.wav(args.text).result(timeout=60)
    except FutureTimeout:
        raise SpeechError("the speech engine did not finish within 60 s") from None
    except SpeechError:
        raise
    except Exception as e:  # whatever the engine raised on its thread: one line, not a traceback
        raise SpeechError(f"speech synthesis failed: {' '.join(str(e).split()) or type(e).__name__}") from None
    finally:
        synth.close()
    if args.out:
        write_private_bytes(args.out, Path(path).read_bytes())  # 0600, like every file FitCoach writes
        print(f"{args.out}: {wav_duration_s(Path(args.out)):.2f} s of {args.lang} speech")
        return 0
    player = Player()
    if player.play(path):
        import time

        time.sleep(wav_duration_s(path) + 0.1)
    else:
        print(f"not played ({player.status}); the speech is in {path}")
    player.close()
    return 0
