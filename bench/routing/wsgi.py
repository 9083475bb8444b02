"""WSGI entry point for every bench configuration (``DJANGO_SETTINGS_MODULE`` picks one)."""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
