"""Reading a TOML file a person hands us (a program, settings): size-limited, UTF-8, data only.

Errors are `ValidationError`s naming the file; nothing in the file is ever executed.
"""

from __future__ import annotations

import tomllib

from fitcoach.core.errors import ValidationError


def parse_toml(text: str | bytes, where: str, max_bytes: int, what: str) -> tuple[dict, str]:
    """`text` (bytes straight from a file, or str) -> (the TOML table, the text decoded). `what`
    names the kind of file in messages ("programs", "settings")."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise ValidationError(where, "", f"file is {len(text)} bytes; {what} are limited to {max_bytes}")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValidationError(where, "", f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ValidationError(where, "", f"{what} are limited to {max_bytes} bytes")
    try:
        return tomllib.loads(text), text
    except (tomllib.TOMLDecodeError, ValueError) as e:
        raise ValidationError(where, "", f"not valid TOML ({e})") from None
