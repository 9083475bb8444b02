from django.db import models


class Font(models.TextChoices):
    SYSTEM = "system", "System UI"
    INTER = "inter", "Humanist sans (Inter, Segoe UI, Roboto)"
    SERIF = "serif", "Serif (Georgia, Cambria)"
    MONO = "mono", "Monospace (Menlo, Consolas)"


FONT_STACKS: dict[str, str] = {
    Font.SYSTEM: (
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
    ),
    Font.INTER: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    Font.SERIF: 'Georgia, Cambria, "Times New Roman", Times, serif',
    Font.MONO: 'Menlo, Consolas, "Liberation Mono", monospace',
}

DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#0f766e"
