"""The widget's colours, matched for contrast here rather than in the embed script (which
must stay small): the text on the primary colour, and an accent for links and focus rings
on white that is the primary colour only where it is readable (WCAG 2.2, 4.5:1)."""

DEFAULT_COLOR = "#6366F1"
FALLBACK_ACCENT = "#1f2937"
READABLE = 4.5


def _luminance(hex_color: str) -> float:
    """Relative luminance (WCAG 2.2) of a #rrggbb colour."""

    def channel(i: int) -> float:
        c = int(hex_color[i : i + 2], 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = channel(1), channel(3), channel(5)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def widget_colors(primary: str) -> dict[str, str]:
    """`primary`, the text colour on it (black or white, whichever reads better), and the accent."""
    level = _luminance(primary)
    return {
        "primary": primary,
        "on_primary": "#fff" if _contrast(level, 1) >= _contrast(level, 0) else "#000",
        "accent": primary if _contrast(level, 1) >= READABLE else FALLBACK_ACCENT,
    }
