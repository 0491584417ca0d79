"""The registration screen's name search: ``*`` switches the code line to names (any
fragment, or T9 digits) with a pick list, F3 narrows it to a category."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

from ...domain.money import format_money
from ...i18n import t
from ..widgets.receipt_list import PICK_FIXED, RowList, pick_row

if TYPE_CHECKING:
    # a mixin of RegistrationScreen, whose mode, receipt, code line and set_mode() it uses
    from .base import PosScreen as _Screen
else:
    _Screen = object


class NameSearch(_Screen):
    """The name search of :class:`~.registration.RegistrationScreen` (a mixin)."""

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.mode == "name":
            self.refresh_picks()

    def refresh_picks(self) -> None:
        query = self.code.value.strip()
        catalog = self.pos.terminal.catalog
        if self.category_id is not None:
            self.picks = catalog.search_in_category(query, self.category_id, limit=50)
        else:
            self.picks = catalog.search(query, limit=50)
        width = self.name_width(PICK_FIXED)
        rows = [
            pick_row(product.plu, product.name, t("reg.unit_price", price=format_money(product.price, symbol=False),
                                                  unit=product.unit), width)
            if product.price
            else pick_row(product.plu, product.name, t("reg.open_price"), width)
            for product in self.picks
        ]
        self.query_one("#picklist", RowList).show_rows(rows, 0)
        if not self.picks:
            self.say(t("reg.not_found"), error=True)
        elif self.category_id is not None:
            self.say(t("catsearch.found", n=len(self.picks), category=self._category_name()))
        elif not query:
            self.say(t("reg.most_sold" if self.pos.terminal.catalog.has_sales() else "reg.alphabetical"))
        else:
            self.say(t("reg.found", n=len(self.picks)))

    def _category_name(self) -> str:
        names = {c.id: c.name for c in self.pos.terminal.catalog.categories()}
        return names.get(self.category_id, "") if self.category_id is not None else ""

    def action_category(self) -> None:
        """F3: narrow the name search to a category (a numbered menu of the tree:
        1. every category, then the main ones; one with subcategories opens them)."""
        from ..dialogs import MenuScreen
        from ..widgets.menu import MenuItem

        categories = self.pos.terminal.catalog.categories()
        if not categories:
            self.say(t("catsearch.none"), error=True)
            return
        children: dict[int | None, list] = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)

        def choose(category_id: int | None) -> None:
            while len(self.app.screen_stack) > 1 and self.app.screen is not self:
                self.app.pop_screen()
            self.category_id = category_id
            if self.mode != "name":
                self.pending = None
                self.set_mode("name")
            else:
                self.refresh_picks()
            self.refresh_bindings()  # the key bar again shows F3 of the name search

        def items(parent: int | None) -> list[MenuItem]:
            first = (
                MenuItem(1, "catsearch.all", lambda: choose(None))
                if parent is None
                else MenuItem(1, lambda: t("catsearch.whole", category=names[parent]),
                              lambda p=parent: choose(p))
            )
            out = [first]
            for number, category in enumerate(children.get(parent, []), 2):
                if children.get(category.id):
                    action = (lambda c=category: self.app.push_screen(
                        MenuScreen("catsearch.title", items(c.id))))
                else:
                    action = lambda c=category: choose(c.id)  # noqa: E731
                out.append(MenuItem(number, lambda c=category: c.name, action))
            return out

        names = {c.id: c.name for c in categories}
        self.app.push_screen(MenuScreen("catsearch.title", items(None)))
    def action_toggle_search(self) -> None:
        self.pending = None
        self.set_mode("code" if self.mode == "name" else "name")
        if self.mode == "code":
            self.say("")
