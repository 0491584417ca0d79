"""The till's own keys of a screen: what the key bar shows and F1 explains.

Textual's widgets bring bindings of their own (an Input's "Move cursor left and
select", the App's "ctrl+q Quit"); a cashier needs only the till's keys, in the UI
language. Ours are the bindings whose description is a catalogue key, so that is the
filter. The order is the one a cashier reads: the focused widget's keys (a menu's
digits), then the screen's as it declares them, then the App's (F1, Ctrl+Q).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from ..i18n import has_key, t


@dataclass(frozen=True)
class TillKey:
    """One key as shown: its display ("F2", "1–8 ↑↓ Enter"), what it does next (the
    bar's label, which may follow the screen's mode: "* Nazwa") and what it does in
    general (F1's description: "* Kod/Nazwa")."""

    display: str
    label: str
    description: str
    binding: Binding
    shown: bool
    #: where the action runs (the widget, screen or App that declared the binding)
    node: DOMNode


def _chain(screen: Screen[object]) -> list[tuple[DOMNode, list[Binding]]]:
    """(node, its bindings in declaration order): widgets, then the screen, then the App."""
    chain = screen._modal_binding_chain
    ordered = [item for item in chain if item[0] is not screen and item[0] is not screen.app]
    ordered += [item for item in chain if item[0] is screen]
    ordered += [item for item in chain if item[0] is screen.app]
    result = []
    for node, bindings_map in ordered:
        bindings: list[Binding] = []
        for key_bindings in bindings_map.key_to_bindings.values():
            for binding in key_bindings:
                if binding not in bindings:
                    bindings.append(binding)
        result.append((node, bindings))
    return result


def till_keys(screen: Screen[object]) -> list[TillKey]:
    """Every enabled key of the till on ``screen`` now, one per action; ``shown`` says
    whether the key bar shows it (the binding's ``show`` and the screen's ``show_key``)."""
    app = screen.app
    keys: list[TillKey] = []
    seen: set[str] = set()
    show_key = getattr(screen, "show_key", None)
    label_of = getattr(screen, "binding_label", None)
    for node, bindings in _chain(screen):
        for binding in bindings:
            if not binding.description or not has_key(binding.description) or binding.action in seen:
                continue
            if not app._check_action_state(binding.action, node):
                continue  # disabled here (check_action): neither shown nor explained
            seen.add(binding.action)
            shown = binding.show and (show_key is None or bool(show_key(binding)))
            if node is app and not getattr(screen, "SHOW_APP_KEYS", False):
                shown = False  # Ctrl+Q on the bar only where quitting is a step (login, …)
            description = t(binding.description)
            label = (label_of(binding) if label_of else None) or description
            keys.append(TillKey(app.get_key_display(binding), label, description, binding, shown, node))
    return keys
