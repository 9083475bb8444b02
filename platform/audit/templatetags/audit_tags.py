"""Showing audit changes to people: plain field names, readable values, no empty noise."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _show(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)


def _label(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ").capitalize()


@register.filter
def readable_changes(changes: Any) -> list[tuple[str, str, str]]:
    """``{field: [before, after]}`` as ``[(label, before, after)]``, leaving out pairs that
    only differ between one kind of empty and another."""
    rows = []
    for name, pair in (changes or {}).items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        before, after = _show(pair[0]), _show(pair[1])
        if before != after:
            rows.append((_label(name), before, after))
    return rows
