"""User settings (`settings.toml` in the user data directory), validated like every file a
person edits: unknown keys and bad values are errors naming the file and field; nothing in it
is executed. Missing keys take the defaults below.

    schema_version = 1
    lang = "ko"            # a language of fitcoach.i18n.LANGS (en | ko)
    verbosity = "full"     # silent | counts | full
    voice_rate = 170       # words per minute, 80-300
    voice_volume = 1.0     # 0-1
    mute = false
    model = "full"         # lite | full | heavy
    people = 2             # 1 | 2
    camera = 0             # camera index, 0-9
    resolution = "640x480" # 640x480 | 1280x720 | 1920x1080
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from fitcoach.core.errors import ValidationError
from fitcoach.core.userfiles import parse_toml
from fitcoach.i18n import LANGS

MAX_BYTES = 16 * 1024


@dataclass(frozen=True)
class Settings:
    lang: str = "en"
    verbosity: str = "full"
    voice_rate: int = 170
    voice_volume: float = 1.0
    mute: bool = False
    model: str = "full"
    people: int = 2
    camera: int = 0
    resolution: str = "640x480"
    # The profile the app opens with; "" until the first-run welcome has been completed.
    profile: str = ""


CHOICES = {"lang": LANGS, "verbosity": ("silent", "counts", "full"), "model": ("lite", "full", "heavy"),
           "people": (1, 2), "resolution": ("640x480", "1280x720", "1920x1080")}
RANGES = {"voice_rate": (80, 300), "voice_volume": (0.0, 1.0), "camera": (0, 9)}


def parse_settings(text: str | bytes, where: str = "settings.toml") -> Settings:
    data, _ = parse_toml(text, where, MAX_BYTES, "settings")
    if data.pop("schema_version", 1) != 1:
        raise ValidationError(where, "schema_version", "must be 1")
    known = {f.name: f for f in fields(Settings)}
    out = {}
    for key, value in data.items():
        if key not in known:
            raise ValidationError(where, key, f"unknown setting; known: {', '.join(sorted(known))}")
        default = getattr(Settings(), key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ValidationError(where, key, f"must be {type(default).__name__}, got {type(value).__name__}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ValidationError(where, key, f"must be one of {', '.join(map(str, CHOICES[key]))}, got {value!r}")
        if key in RANGES:
            lo, hi = RANGES[key]
            if not (lo <= value <= hi):
                raise ValidationError(where, key, f"must be between {lo:g} and {hi:g}, got {value!r}")
        if key == "profile" and (len(value) > 64 or any(not ch.isprintable() for ch in value)):
            raise ValidationError(where, key, "must be a profile name of at most 64 printable characters")
        out[key] = float(value) if isinstance(default, float) else value
    return Settings(**out)


def load_settings(folder: Path | None = None) -> Settings:
    from fitcoach.io.store import default_data_dir

    p = (folder or default_data_dir()) / "settings.toml"
    if not p.exists():
        return Settings()
    if p.stat().st_size > MAX_BYTES:
        raise ValidationError(str(p), "", f"settings are limited to {MAX_BYTES} bytes")
    return parse_settings(p.read_bytes(), str(p))


def settings_text(st: Settings) -> str:
    """`st` as settings.toml text (parsed back by `parse_settings` to the same Settings)."""
    import json

    lines = ["schema_version = 1"]
    for f in fields(Settings):
        v = getattr(st, f.name)
        lines.append(f"{f.name} = {json.dumps(v)}" if not isinstance(v, float) else f"{f.name} = {v!r}")
    return "\n".join(lines) + "\n"


def save_settings(st: Settings, folder: Path | None = None) -> Path:
    """Write settings.toml readable by the user only (validated first, replaced atomically;
    the folder is created 0700 whatever the umask)."""
    from fitcoach.io.private_files import private_dir, write_private_text
    from fitcoach.io.store import default_data_dir

    text = settings_text(st)
    parse_settings(text)
    folder = private_dir(folder or default_data_dir())
    path = folder / "settings.toml"
    write_private_text(path, text)
    return path
