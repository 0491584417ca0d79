"""The till's name search narrowed to a category (with its subcategories)."""

from __future__ import annotations

from ipos_tui.store.db import Terminal


def test_search_in_category_keeps_to_the_category_tree(demo_terminal: Terminal) -> None:
    catalog = demo_terminal.catalog
    categories = catalog.categories()
    parents = {c.parent_id for c in categories if c.parent_id is not None}
    top = next(c for c in categories if c.id in parents)
    tree = catalog.category_subtree(top.id)
    assert top.id in tree and len(tree) > 1
    listed = catalog.search_in_category("", top.id, limit=10_000)
    assert listed and all(p.category_id in tree for p in listed)
    names = [p.name for p in listed]
    # every active product of the tree is there, none of the others
    everything = catalog.search_in_category("", top.id, limit=10_000)
    assert len(everything) == len(names)
    word = listed[0].name.split()[0]
    narrowed = catalog.search_in_category(word.lower(), top.id)
    assert narrowed and all(p.category_id in tree for p in narrowed)
    assert all(word.lower() in p.name.lower() for p in narrowed)
    other = next(c for c in categories if c.id not in tree)
    assert all(p.category_id not in tree for p in catalog.search_in_category(word, other.id))
    assert catalog.search_in_category("%_\\", top.id) == []  # wildcards are letters here
