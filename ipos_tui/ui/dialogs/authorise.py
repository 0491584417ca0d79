"""Autoryzacja kierownika: a manager's identifier and PIN allow one action the cashier
may not do alone.

One dialog for every gated action (a free discount, a price change, a void, a return,
a cash operation, a report, the connection's settings). The PIN is masked and checked
as a login is (:meth:`ipos_tui.store.auth.AuthService.authorise`: the same PIN
verification and the same lockout, which wrong PINs here count towards); the user must
hold the permission. Enter on the identifier goes to the PIN, Enter on the PIN checks
both; a refusal is shown in the dialog, the PIN field emptied, and the dialog stays.
Esc closes it with nothing changed. What it returns is the
:class:`~ipos_tui.domain.authorisation.Authorisation` (who, when), which the caller
records on the document the action affects.

:func:`authorise_then` runs an action at once for a cashier holding the permission and
asks a manager otherwise; :func:`gated_label` marks a menu item that will ask ("*"),
and :class:`GatedMenuScreen` explains the mark in the menu's title.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ...domain.authorisation import Authorisation
from ...domain.errors import DomainError
from ...i18n import t
from ..errors import error_text
from ..widgets.menu import MenuItem
from .form import Field, FormDialog
from .menu import MenuScreen

if TYPE_CHECKING:
    from textual.app import App

    from ..app import IposApp

#: Refusals that concern the identifier (the cursor goes back there); the others the PIN.
_IDENTIFIER_ERRORS = frozenset(
    {"err.login_id_required", "err.login_unknown", "err.login_inactive", "perm.err_not_allowed"}
)


def permission_name(permission: str) -> str:
    """What a permission allows, in the UI language ("zmiana ceny")."""
    key = f"perm.name.{permission}"
    text = t(key)
    return permission if text == key else text


class AuthoriseDialog(FormDialog):
    """Identyfikator + PIN of a user holding ``permission``; dismisses with the
    :class:`Authorisation` or, on Esc, ``None``."""

    DEFAULT_CSS = """
    AuthoriseDialog > Vertical {
        border: solid $warning;
    }
    """

    def __init__(self, permission: str, what: str = "") -> None:
        fields = [
            Field("identifier", "perm.identifier", max_length=20),
            Field("pin", "perm.pin", password=True, restrict=r"[0-9]*", max_length=8),
        ]
        hint = t("perm.hint", what=what or permission_name(permission), permission=permission_name(permission))
        super().__init__(t("perm.title"), fields, hint=hint)
        self.permission = permission

    def action_accept(self) -> None:
        """Enter: to the PIN, or on the PIN check both and return who authorised."""
        index = self._focused_index()
        if 0 <= index < len(self.fields) - 1:
            self.action_next_field()
            return
        identifier, pin = self._inputs()
        app = self.app
        try:
            authorisation = app.terminal.auth.authorise(  # type: ignore[attr-defined]
                identifier.value, pin.value, self.permission, app.clock()  # type: ignore[attr-defined]
            )
        except DomainError as error:
            pin.value = ""
            if error.key == "perm.err_not_allowed":  # somebody else must come
                identifier.value = ""
            self._fail(identifier if error.key in _IDENTIFIER_ERRORS else pin, self.message(error))
            return
        self.dismiss(authorisation)  # type: ignore[arg-type]

    @staticmethod
    def message(error: DomainError) -> str:
        """The refusal as the manager reads it (a permission by its name)."""
        if error.key == "perm.err_not_allowed":
            return t(error.key, name=error.params.get("name", ""),
                     permission=permission_name(str(error.params.get("permission", ""))))
        return error_text(error)


def needs_manager(app: IposApp, permission: str) -> bool:
    """Whether the logged-in cashier needs a manager for ``permission``."""
    cashier = app.cashier
    return cashier is None or not cashier.can(permission)


def authorise_then(
    app: App[object],
    permission: str,
    then: Callable[[Authorisation | None], object],
    *,
    what: str = "",
    always: bool = False,
    on_cancel: Callable[[], object] | None = None,
) -> None:
    """Run ``then(None)`` when the cashier holds ``permission``; otherwise (and always
    with ``always``: the connection's settings) ask a manager and run
    ``then(authorisation)`` once one authorised. Esc runs ``on_cancel`` (by default the
    status line says nothing was changed)."""
    if not always and not needs_manager(app, permission):  # type: ignore[arg-type]
        then(None)
        return

    def answered(result: Authorisation | None) -> None:
        if result is None:
            if on_cancel is not None:
                on_cancel()
            else:
                say = getattr(app.screen, "say", None)
                if say is not None:
                    say(t("perm.cancelled"))
            return
        then(result)

    app.push_screen(AuthoriseDialog(permission, what), answered)  # type: ignore[arg-type]


class MarkedLabel:
    """The label of a menu item that will ask for a manager: "Raport dobowy *"."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self) -> str:
        return t("perm.marked", label=t(self.label))


def gated_label(app: IposApp, label: str, permission: str) -> str | MarkedLabel:
    """A menu item's label, marked "*" when choosing it will ask for a manager."""
    return MarkedLabel(label) if needs_manager(app, permission) else label


def gated(
    app: IposApp, number: int, label: str, permission: str, action: Callable[[], object], *, visible: bool = True
) -> MenuItem:
    """A menu item whose action needs ``permission`` (checked again by the action)."""
    return MenuItem(number, gated_label(app, label, permission), action, visible)


class GatedMenuScreen(MenuScreen):
    """A menu whose items marked "*" need a manager's PIN: the title says so."""

    def __init__(self, title_key: str, items: Sequence[MenuItem]) -> None:
        super().__init__(title_key, items)
        self.marked = any(isinstance(item.label, MarkedLabel) and item.visible for item in items)

    def _title(self) -> str:
        title = t(self.title_key)
        return t("perm.legend", title=title) if self.marked else title

    def on_mount(self) -> None:
        self._set_title()

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self._set_title()

    def _set_title(self) -> None:
        from ..widgets.menu import NumberedMenu

        self.query_one(NumberedMenu).border_title = self._title()
