"""Rules of the codebase that a test can hold us to."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_FOLDERS = [
    "tenants",
    "branding",
    "sso",
    "api",
    "commerce",
    "platform/audit",
    "platform/outbox",
    "platform/core",
]


def test_every_installed_app_is_declared_shared_or_tenant():
    declared = set(settings.SHARED_APPS) | set(settings.TENANT_APPS)
    undeclared = [c.name for c in apps.get_app_configs() if c.name not in declared]
    assert undeclared == []


def test_tenant_data_apps_are_not_in_the_public_schema():
    for app in ("branding", "commerce", "api"):
        assert app in settings.TENANT_APPS and app not in settings.SHARED_APPS


def test_platform_is_a_source_root_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert (ROOT / "platform" / "control_plane" / "__init__.py").exists()


@pytest.mark.parametrize("folder", DOMAIN_FOLDERS)
def test_each_domain_folder_has_a_readme(folder):
    assert (ROOT / folder / "README.md").is_file()


def _python_files(folder: str) -> list[Path]:
    return [
        p
        for p in (ROOT / folder).rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts
    ]


@pytest.mark.parametrize("folder", DOMAIN_FOLDERS)
def test_views_never_save_models_directly(folder):
    """Writes go through services: no ``.save(`` / ``.objects.create(`` in views or forms."""
    offenders = []
    for path in _python_files(folder):
        if path.name not in {"views.py", "pages.py", "forms.py", "serializers.py"}:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {
                "save",
                "create",
                "update",
                "delete",
            }:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_no_float_money_or_naive_datetimes_in_app_code():
    offenders = []
    for folder in DOMAIN_FOLDERS:
        for path in _python_files(folder):
            text = path.read_text()
            for needle in ("FloatField", "datetime.now()", "datetime.utcnow()"):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
