"""8. Konfiguracja → 5. Drukarka fiskalna: the simulated printer's PTU table, its state,
and the electronic journal ("elektroniczna kopia") of every printout, searchable."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ...domain.search import normalise
from ...i18n import has_key, t
from ...domain.records import document_number_text
from ...domain.printer import PRINTER_LETTERS, JournalEntry, rate_label
from ..widgets.code_input import CodeInput
from ..widgets.menu import MenuItem
from ..widgets.receipt_list import RowList, fit
from .base import PosScreen
from .info import InfoBase

if TYPE_CHECKING:
    from ..app import IposApp

def kind_text(kind: str) -> str:
    """The journal's name of a printout kind ("Dokument fiskalny", "Zwrot", …); every
    kind the printer journals has one (``printer.kind_<kind>``, tested against
    :data:`~ipos_tui.domain.printer.PrintoutKind`)."""
    key = "printer.kind_vat" if kind == "vat_table" else f"printer.kind_{kind}"
    return t(key) if has_key(key) else kind


def _when(moment: datetime | None, never: str = "printer.never") -> str:
    """A time as the printer screens show it, or the text for "not yet"."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else t(never)


class VatTableScreen(InfoBase):
    """The PTU letters and rates the printer holds, beside the catalogue's."""

    TITLE_KEY = "printer.vat_title"

    def text(self) -> str:
        terminal = self.pos.terminal
        printer = self.pos.till.printer
        table = printer.vat_table()
        used = printer.used_letters()
        catalogue = {rate.letter: rate.rate_bp for rate in terminal.catalog.vat_rates()}
        head = f"{t('printer.col_letter'):<8}{t('printer.col_rate'):<10}{t('printer.col_used'):<16}{t('printer.col_catalogue')}"
        lines = [head]
        for letter in sorted(set(table) | set(catalogue)):
            rate = rate_label(table[letter]) if letter in table else "-"
            in_catalogue = rate_label(catalogue[letter]) if letter in catalogue else "-"
            mark = t("printer.yes") if letter in used else t("printer.no")
            lines.append(f"{letter:<8}{rate:<10}{mark:<16}{in_catalogue}")
        state = printer.state()
        lines += ["", t("printer.vat_written", when=_when(state.vat_table_date, "printer.at_fiscalisation"), n=state.vat_table_writes)]
        change = printer.pending_vat_change(
            {letter: rate for letter, rate in catalogue.items() if letter in PRINTER_LETTERS}
        )
        if change is None:
            lines.append(t("printer.vat_same"))
        else:
            parts = ", ".join(
                f"{c.letter} {rate_label(c.old_bp) if not c.is_new else '-'} {self.pos.glyphs.arrow} {rate_label(c.new_bp)}"
                for c in change.changes
            )
            lines.append(t("printer.vat_pending", changes=parts))
            if change.blocked:
                lines.append(t("printer.vat_blocked", letters=", ".join(c.letter for c in change.blocked)))
        return "\n".join(lines)


class PrinterStateScreen(InfoBase):
    """Serial number and fiscal-memory counters."""

    TITLE_KEY = "printer.state_title"

    def rows(self) -> list[tuple[str, str]]:
        state = self.pos.till.printer.state()
        return [
            ("printer.model", t("printer.model_name")),
            ("printer.serial", state.serial),
            ("printer.printouts", str(state.printouts)),
            ("printer.last_printout", _when(state.last_printout)),
            ("printer.vat_date", _when(state.vat_table_date, "printer.at_fiscalisation")),
            ("printer.vat_writes", str(state.vat_table_writes)),
        ]


class JournalScreen(PosScreen):
    """Elektroniczna kopia: every printout, newest first; typing searches (document
    number, date or any text), Enter shows the printout as it was printed."""

    TITLE_KEY = "printer.journal_title"


    BINDINGS = [
        Binding("enter,ctrl+j", "open", "keys.show", key_display="Enter", id="JournalScreen.open"),
        # priority: the focused search field would otherwise claim them (for scrolling)
        Binding("up", "move(-1)", "keys.move", key_display="\u2191\u2193", priority=True, id="JournalScreen.move.up"),
        Binding("down", "move(1)", "keys.move", show=False, priority=True, id="JournalScreen.move.down"),
        Binding("pageup", "move(-10)", "keys.move", show=False, priority=True, id="JournalScreen.move.pageup"),
        Binding("pagedown", "move(10)", "keys.move", show=False, priority=True, id="JournalScreen.move.pagedown"),
        Binding("asterisk,multiply", "clear_search", "keys.show_all", key_display="*", id="JournalScreen.clear_search"),
        Binding("escape", "back", "keys.back", id="JournalScreen.back"),
        Binding("f1", "app.help", "keys.help", id="JournalScreen.app_help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[JournalEntry] = []
        self.doc_types: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        with Vertical(id="ej-box"):
            yield Static(self.header(), id="ej-header", markup=False)
            yield RowList(id="ej-list")
        with Horizontal(id="ej-search-row"):
            yield Label(t("printer.search"), id="ej-search-label", markup=False)
            yield CodeInput(
                id="ej-search", placeholder=t("printer.search_placeholder"), max_length=40, commands="*"
            )

    def header(self) -> str:
        return (
            f" {t('printer.col_number'):<7} {t('tx.date'):<10} {t('tx.time'):<5} "
            f"{t('printer.col_kind'):<16} {t('printer.col_document'):>8}  {t('printer.col_content')}"
        )

    def on_mount(self) -> None:
        self.query_one("#ej-search", CodeInput).focus()
        self.load()

    def query_text(self) -> str:
        return self.query_one("#ej-search", CodeInput).value.strip()

    def load(self) -> None:
        query = self.query_text()
        self.entries = self.pos.till.printer.journal(query)
        self.doc_types = self.pos.terminal.ledger.document_types(
            entry.document_uuid for entry in self.entries if entry.document_uuid
        )
        self.query_one(RowList).show_rows([self.row(entry, query) for entry in self.entries], 0)
        if not self.entries:
            self.say(t("printer.journal_none") if query else t("printer.journal_empty"))
        elif query:
            self.say(t("printer.journal_found", n=len(self.entries), query=query))
        else:
            self.say(t("printer.journal_count", n=self.pos.till.printer.state().printouts))

    def row(self, entry: JournalEntry, query: str) -> Text:
        when = entry.printed_local
        document = ""
        if entry.document_number is not None:
            doc_type = self.doc_types.get(entry.document_uuid or "", "receipt")
            document = document_number_text(doc_type, entry.document_number)
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f" {entry.number:06d}  {when:%Y-%m-%d} {when:%H:%M} {fit(kind_text(entry.kind), 17):<17} "
            f"{document:>7}  {fit(snippet(entry, query), 24)}"
        )
        return text

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self.query_one("#ej-header", Static).update(self.header())
        self.query_one("#ej-search-label", Label).update(t("printer.search"))
        self.load()

    def action_move(self, step: int) -> None:
        self.query_one(RowList).move(step)

    def action_clear_search(self) -> None:
        self.query_one("#ej-search", CodeInput).value = ""
        self.load()

    def action_open(self) -> None:
        index = self.query_one(RowList).highlighted
        if not self.entries or index is None:
            return
        from ..dialogs import TextViewDialog

        entry = self.entries[index]
        title = t("printer.printout_title", number=entry.number, when=_when(entry.printed_local))
        self.app.push_screen(TextViewDialog(title, entry.text))

    def action_back(self) -> None:
        self.dismiss(None)


def snippet(entry: JournalEntry, query: str) -> str:
    """What the journal list shows of a printout: the line the search matched, else
    a receipt's total line, else the printout's title."""
    lines = [line.strip() for line in entry.text.splitlines() if line.strip()]
    wanted = normalise(query)
    if wanted and not wanted.isdigit():
        for line in lines:
            if wanted in normalise(line):
                return " ".join(line.split())
    if entry.kind in ("receipt", "invoice"):
        for line in lines:
            if line.startswith(("SUMA PLN", "RAZEM PLN")):
                return " ".join(line.split())
    return lines[1] if len(lines) > 1 else entry.title


def printer_items(app: IposApp) -> list[MenuItem]:
    """8 → 5. Drukarka fiskalna."""
    return [
        MenuItem(1, "printer.vat_title", lambda: app.push_screen(VatTableScreen())),
        MenuItem(2, "printer.state_title", lambda: app.push_screen(PrinterStateScreen())),
        MenuItem(3, "printer.journal_title", lambda: app.push_screen(JournalScreen())),
    ]
