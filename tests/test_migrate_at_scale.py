"""``portico_migrate`` finds lagging schemas in one query and migrates only those."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import schema_clone


def test_lagging_schemas_reads_every_schema_in_one_query(tenants):
    schemas = ["public", "t_alpha", "t_beta"]
    with CaptureQueriesContext(connection) as ctx:
        assert schema_clone.lagging_schemas(schemas) == {}
    assert len([q for q in ctx.captured_queries if "django_migrations" in q["sql"]]) == 2


def test_check_names_the_lagging_schema_and_migrate_fixes_only_it(tenants, capsys):
    call_command("migrate_schemas", "api", "zero", schema_name="t_beta", verbosity=0)
    connection.set_schema_to_public()
    assert schema_clone.lagging_schemas(["t_alpha", "t_beta"]) == {
        "t_beta": {("api", "0001_initial")}
    }
    with pytest.raises(CommandError, match="1 schema\\(s\\) lag: t_beta"):
        call_command("portico_migrate", check=True)

    call_command("portico_migrate", verbosity=0)

    assert "migrated 1" in capsys.readouterr().out
    assert schema_clone.lagging_schemas(["t_alpha", "t_beta"]) == {}
    assert schema_clone.missing_model_columns("t_beta") == []
