"""The category tree: create, rename, move (the subtree's path and depth follow), refuse cycles,
delete only when empty; editors change it, other staff read it."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.errors import CatalogError
from commerce.catalog.models import Category
from commerce.catalog.services import category_create, category_delete, category_update
from core.errors import PermissionDenied
from tests.factories import ProductFactory


def tree_state() -> list[tuple[str, str | None, str, int]]:
    return [
        (c.name, c.parent.name if c.parent else None, c.path, c.depth)
        for c in Category.objects.select_related("parent").order_by("name")
    ]


@pytest.fixture
def tree(alpha, admin):
    """Tools > Hand tools > Hammers, and Fasteners."""
    with schema_context(alpha.schema):
        tools = category_create(actor=admin, name="Tools")
        hand = category_create(actor=admin, name="Hand tools", parent=tools)
        hammers = category_create(actor=admin, name="Hammers", parent=hand)
        fasteners = category_create(actor=admin, name="Fasteners")
    return {"tools": tools, "hand": hand, "hammers": hammers, "fasteners": fasteners}


def test_new_categories_get_their_path_and_depth(alpha, tree):
    t = tree
    with schema_context(alpha.schema):
        assert tree_state() == [
            ("Fasteners", None, f"/{t['fasteners'].pk}/", 0),
            ("Hammers", "Hand tools", f"/{t['tools'].pk}/{t['hand'].pk}/{t['hammers'].pk}/", 2),
            ("Hand tools", "Tools", f"/{t['tools'].pk}/{t['hand'].pk}/", 1),
            ("Tools", None, f"/{t['tools'].pk}/", 0),
        ]
        entry = AuditEntry.objects.filter(action="catalog.category_created").latest("id")
        assert entry.changes == {
            "name": [None, "Fasteners"],
            "path": [None, f"/{t['fasteners'].pk}/"],
        }


def test_moving_a_category_moves_its_subtree(alpha, admin, tree):
    t = tree
    with schema_context(alpha.schema):
        category_update(actor=admin, category=t["hand"], name="Hand tools", parent=t["fasteners"])
        f, h, m = t["fasteners"].pk, t["hand"].pk, t["hammers"].pk
        assert tree_state() == [
            ("Fasteners", None, f"/{f}/", 0),
            ("Hammers", "Hand tools", f"/{f}/{h}/{m}/", 2),
            ("Hand tools", "Fasteners", f"/{f}/{h}/", 1),
            ("Tools", None, f"/{t['tools'].pk}/", 0),
        ]
        category_update(actor=admin, category=t["hand"], name="Manual tools", parent=None)
        assert tree_state() == [
            ("Fasteners", None, f"/{f}/", 0),
            ("Hammers", "Manual tools", f"/{h}/{m}/", 1),
            ("Manual tools", None, f"/{h}/", 0),
            ("Tools", None, f"/{t['tools'].pk}/", 0),
        ]
        entry = AuditEntry.objects.filter(action="catalog.category_changed").latest("id")
        assert entry.changes == {
            "name": ["Hand tools", "Manual tools"],
            "parent_id": [f, None],
            "path": [f"/{f}/{h}/", f"/{h}/"],
        }


@pytest.mark.parametrize(
    ("moved", "under", "message"),
    [
        (
            "tools",
            "hammers",
            "“Tools” cannot move under “Hammers”: it is inside it. "
            "Choose a parent outside this branch.",
        ),
        (
            "hand",
            "hand",
            "“Hand tools” cannot move under “Hand tools”: that is the category itself. "
            "Choose a parent outside this branch.",
        ),
    ],
)
def test_a_move_that_would_make_a_cycle_is_refused(alpha, admin, tree, moved, under, message):
    with schema_context(alpha.schema):
        before = tree_state()
        with pytest.raises(CatalogError) as refused:
            category_update(
                actor=admin, category=tree[moved], name=tree[moved].name, parent=tree[under]
            )
        assert (refused.value.code, refused.value.field, refused.value.message) == (
            "category_cycle",
            "parent",
            message,
        )
        assert tree_state() == before


def test_sibling_names_are_unique(alpha, admin, tree):
    with schema_context(alpha.schema):
        before = tree_state()
        with pytest.raises(CatalogError) as refused:
            category_create(actor=admin, name="hand  TOOLS", parent=tree["tools"])
        assert refused.value.message == (
            "There is already a category called “hand TOOLS” under “Tools”; choose another name."
        )
        with pytest.raises(CatalogError) as refused:
            category_create(actor=admin, name="Screws > Wood")
        assert refused.value.code == "name_bad_char"
        assert tree_state() == before


def test_only_empty_categories_can_be_deleted(alpha, admin, tree):
    with schema_context(alpha.schema):
        ProductFactory(category=tree["hand"])
        ProductFactory(category=tree["hand"])
        before = tree_state()
        with pytest.raises(CatalogError) as refused:
            category_delete(actor=admin, category=tree["hand"])
        assert refused.value.message == (
            "“Hand tools” still has 1 subcategory and 2 products; move or delete them first."
        )
        assert tree_state() == before
        category_delete(actor=admin, category=tree["fasteners"])
        assert [row[0] for row in tree_state()] == ["Hammers", "Hand tools", "Tools"]
        assert AuditEntry.objects.filter(action="catalog.category_deleted").count() == 1


def test_categories_page_creates_and_lists(alpha, admin_client, tree):
    response = admin_client.post(
        "/backoffice/catalogue/categories/",
        {"name": "Chisels", "parent": str(tree["hand"].public_id)},
    )
    assert response.status_code == 302
    page = admin_client.get("/backoffice/catalogue/categories/").content.decode()
    page = page[page.index('data-testid="category-tree"') :]
    assert page.index("Hand tools") < page.index("Chisels") < page.index("Hammers")
    with schema_context(alpha.schema):
        chisels = Category.objects.get(name="Chisels")
        assert (chisels.path, chisels.depth) == (f"{tree['hand'].path}{chisels.pk}/", 2)


def test_category_page_shows_the_cycle_message(alpha, admin_client, tree):
    response = admin_client.post(
        f"/backoffice/catalogue/categories/{tree['tools'].public_id}/",
        {"name": "Tools", "parent": str(tree["hammers"].public_id)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["parent"] == [
        "“Tools” cannot move under “Hammers”: it is inside it. Choose a parent outside this branch."
    ]


def test_other_staff_read_but_cannot_change(alpha, validator, validator_client, tree):
    assert validator_client.get("/backoffice/catalogue/categories/").status_code == 200
    with schema_context(alpha.schema):
        before = tree_state()
    assert (
        validator_client.post("/backoffice/catalogue/categories/", {"name": "X"}).status_code == 403
    )
    delete = f"/backoffice/catalogue/categories/{tree['fasteners'].public_id}/delete"
    assert validator_client.post(delete).status_code == 403
    with schema_context(alpha.schema):
        assert tree_state() == before
        with pytest.raises(PermissionDenied):
            category_create(actor=validator, name="Y")
        assert tree_state() == before


def test_another_tenants_category_is_not_found(alpha, beta, tree):
    from commerce.catalog.tests.support_backoffice import client_for

    beta_client = client_for(beta, beta.admin)
    url = f"/backoffice/catalogue/categories/{tree['tools'].public_id}/"
    assert beta_client.get(url).status_code == 404
