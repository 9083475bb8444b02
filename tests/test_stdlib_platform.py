"""platform/ is a source root, never a package: the standard library's ``platform`` and the
modules that import it (uuid, Celery, Stripe) must keep working."""

import platform
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_stdlib_platform_is_the_real_one_under_pytest():
    assert platform.system() == "Linux"
    assert Path(platform.__file__).parent != ROOT / "platform"
    assert uuid.uuid4().version == 4
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_stdlib_platform_works_where_celery_and_stripe_import_it():
    code = (
        "import platform, uuid, stripe, celery;"
        "from control_plane.celery import app;"
        "print(platform.system(), uuid.uuid4().version, app.main)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}", "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.split() == ["Linux", "4", "portico"]
