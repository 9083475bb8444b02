"""WCAG 2.x contrast, for warning about theme colours people could not read."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"


def parse_hex(value: str) -> tuple[int, int, int]:
    if not HEX_RE.match(value):
        raise ValueError(f"{value!r} is not a colour like #1f4e79")
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(value: str) -> float:
    r, g, b = parse_hex(value)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class ContrastWarning:
    field: str
    ratio: float
    message: str


def theme_contrast_warnings(*, primary: str, accent: str) -> list[ContrastWarning]:
    """The portal puts white text on the primary colour (buttons, header) and uses the accent
    for links on white. Each pair under WCAG AA (4.5:1) gets a warning saying what to do."""
    warnings = []
    for field, colour, usage in (
        ("primary_color", primary, "White button and header text on"),
        ("accent_color", accent, "Links in"),
    ):
        ratio = contrast_ratio(colour, WHITE)
        if ratio < AA_NORMAL_TEXT:
            where = (
                f"{usage} {colour}" if field == "primary_color" else f"{usage} {colour} on white"
            )
            warnings.append(
                ContrastWarning(
                    field=field,
                    ratio=round(ratio, 2),
                    message=(
                        f"{where} have a contrast of {ratio:.2f}:1; WCAG AA asks for at least "
                        f"4.5:1. Choose a darker colour so everyone can read it."
                    ),
                )
            )
    return warnings
