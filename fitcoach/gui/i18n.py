"""The GUI's strings: `tr` from `fitcoach.i18n` (the catalogues are fitcoach/i18n/<lang>.toml)."""

from fitcoach.i18n import LANGS, language_name, tr

__all__ = ["LANGS", "language_name", "tr"]
