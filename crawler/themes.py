"""The forms a person may type for a theme, read the same by ``ewsi queue --theme`` and the desk's
theme filter: its name in any case (``Social Cohesion``), its two-letter code (``SC``, the codes of
the terminal tables) or the read API's id (``social_cohesion``, config/themes.yaml); surrounding
spaces are ignored."""

from __future__ import annotations

from functools import cache

THEME_CODES = {
    "Active Citizenship": "AC",
    "Economic Participation": "EP",
    "Social Cohesion": "SC",
    "Education and Culture": "EC",
    "Anti-discrimination and Equality": "AD",
    "Tools and Techniques": "TT",
}
"""Two-letter theme codes for narrow terminal tables (legend printed under the queue)."""


def theme_name(value: str) -> str:
    """The theme's name for `value` in any of the forms of the module docstring; ValueError naming
    the codes for anything else."""
    try:
        return _by_key()[value.strip().lower()]
    except KeyError:
        choices = ", ".join(f"{code} ({name})" for name, code in THEME_CODES.items())
        raise ValueError(f"unknown theme {value!r}; use one of {choices}") from None


@cache
def _by_key() -> dict[str, str]:
    """Lower-cased name, code and id -> name (config/themes.yaml read once)."""
    from classifier.themes import load as load_themes

    by_key = {name.lower(): name for name in THEME_CODES} | {c.lower(): n for n, c in THEME_CODES.items()}
    by_key |= {theme.id.lower(): theme.name for theme in load_themes().themes if theme.name in THEME_CODES}
    return by_key
