"""A numbered menu in a box over the current screen."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from ...i18n import t
from ..widgets.keybar import KeyBar
from ..widgets.menu import MenuItem, NumberedMenu
from ..errors import Guarded


class MenuScreen(Guarded, ModalScreen[None]):
    """Shows items; a chosen item's action runs after the menu closes unless the item
    opens a submenu, which stacks on top (Esc goes back one level)."""

    DEFAULT_CSS = """
    MenuScreen {
        align: center middle;
    }
    MenuScreen NumberedMenu {
        background: $surface;
    }
    """

    BINDINGS = [Binding("escape", "back", "keys.back", id="MenuScreen.back"), Binding("f1", "app.help", "keys.help", id="MenuScreen.app_help")]

    def __init__(self, title_key: str, items: Sequence[MenuItem]) -> None:
        super().__init__()
        self.title_key = title_key
        self.items = list(items)

    def compose(self) -> ComposeResult:
        menu = NumberedMenu(self.items)
        menu.border_title = t(self.title_key)
        yield menu
        yield KeyBar()

    def on_numbered_menu_chosen(self, event: NumberedMenu.Chosen) -> None:
        event.stop()
        # Run from the App's queue: an action that closes this menu and opens a
        # dialog must not register the dialog's result callback on this menu,
        # whose message loop ends when it is popped.
        self.app.call_later(event.item.action)

    def refresh_texts(self) -> None:
        menu = self.query_one(NumberedMenu)
        menu.border_title = t(self.title_key)
        menu.refresh_labels()
        self.query_one(KeyBar).update_keys()

    def action_back(self) -> None:
        self.dismiss(None)
