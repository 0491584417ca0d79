"""The one numbered-menu widget: digits, arrows + Enter, fed by data.

Items keep their fixed numbers even when others are hidden, as on the duet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...i18n import t
from ..errors import Guarded


@dataclass(frozen=True)
class MenuItem:
    """One entry: its fixed number, a catalogue key (or a callable giving the text),
    and what it does. ``visible=False`` hides it without renumbering the others."""

    number: int
    label: str | Callable[[], str]
    action: Callable[[], object]
    visible: bool = True

    def text(self) -> str:
        return self.label() if callable(self.label) else t(self.label)


class NumberedMenu(Guarded, OptionList):
    DEFAULT_CSS = """
    NumberedMenu {
        border: solid $primary;
        height: auto;
        max-height: 18;
        width: 44;
        padding: 0 1;
    }
    NumberedMenu:focus {
        border: solid $primary;
    }
    """

    class Chosen(Message):
        """An item was picked (by digit or Enter)."""

        def __init__(self, item: MenuItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, items: Sequence[MenuItem], **kwargs: object) -> None:
        self.items = [item for item in items if item.visible]
        super().__init__(*self._item_options(), **kwargs)  # type: ignore[arg-type]
        self._bind_digits()

    def _item_options(self) -> list[Option]:
        return [Option(f"{item.number}. {item.text()}", id=str(item.number)) for item in self.items]

    def refresh_labels(self) -> None:
        """Re-read the labels (after a setting changed or the language switched)."""
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(self._item_options())
        self.highlighted = highlighted

    def on_mount(self) -> None:
        if self.items:
            self.highlighted = 0

    def _bind_digits(self) -> None:
        """Each visible item's digit opens it; the footer shows them as one range."""
        numbers = [item.number for item in self.items]
        for item in self.items:
            shown = item.number == numbers[0]
            display = f"{numbers[0]}\u2013{numbers[-1]} \u2191\u2193 Enter" if len(numbers) > 1 else f"{numbers[0]} Enter"
            self._bindings.bind(
                str(item.number), f"choose({item.number})", "keys.choose", show=shown, key_display=display
            )

    def action_choose(self, number: int) -> None:
        for index, item in enumerate(self.items):
            if item.number == number:
                self.highlighted = index
                self.post_message(self.Chosen(item))
                return

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        for item in self.items:
            if str(item.number) == event.option_id:
                self.post_message(self.Chosen(item))
                return
