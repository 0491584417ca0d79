"""Activation: the one-time code from ``ipos-backoffice terminal add`` → identity + token.

What activation stores goes to the terminal's LOCAL state (a catalogue rebuild must
not lose it): server address, terminal and store ids, the token (a secret: never
logged; the database file is made owner-only). The ledger's number floors are
raised to the last numbers the back office accepted, so a re-activated terminal
(new disk, revoked token) continues its numbering and never repeats a number.
A terminal activated for another back office, terminal or store forgets its sync
cursors, so its next pulls rebuild the catalogue from zero.

Such a move is refused while documents are unsent and not exported to a file
(``ipos-tui export-unsent``): they would be left with no back office that knows
them. Re-activating for the same terminal (a revoked token, a new disk) is how they
get sent, and is never refused. Another back office is refused before the code is
used. For another terminal of the same one the till names itself in the request and
the back office refuses the code before using it up (an older back office answers
anyway: the code is used up then, and the till refuses and changes nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from ipos_tui import __version__
from ipos_tui.domain.errors import DomainError
from ipos_tui.sync.client import SyncClient, normalise_server_url
from ipos_tui.sync.errors import SyncError
from ipos_tui.store.connection import Connection, ConnectionStore, restrict_to_owner
from ipos_tui.store.db import Terminal
from ipos_tui.store.feed_apply import FeedApplier
from ipos_tui.domain.records import TerminalInfo

log = logging.getLogger(__name__)


def activate(
    terminal: Terminal,
    server_url: str,
    code: str,
    name: str = "",
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = 4,
) -> Connection:
    """Activate ``terminal`` at the back office ``server_url`` with ``code``.

    Raises SyncError (a DomainError) with "sync.err.code_invalid", "code_expired",
    "code_used", "sync.err.offline", "sync.err.url_invalid" … — nothing is stored then.
    """
    url = normalise_server_url(server_url)
    if not "".join(code.split()):
        raise DomainError("sync.err.code_invalid")
    store = ConnectionStore(terminal.db, terminal.models)
    previous = store.get()
    if previous is not None and previous.server_url != url:
        _refuse_with_unsent(terminal, "sync.err.unsent_other_office", server=previous.server_url)
    # holding unsent documents, the till may only become itself again: it says which
    # terminal it is, and the back office refuses another's code before using it up
    bound = previous is not None and terminal.ledger.unexported_unsent() > 0
    try:
        answer = SyncClient.activate(
            url, code, name.strip(), app_version=__version__, transport=transport,
            sleep=sleep, max_attempts=max_attempts,
            terminal_id=previous.terminal_id if bound and previous else None,
        )
    except SyncError as exc:
        if exc.key == "sync.err.code_other_terminal" and previous is not None:
            raise DomainError("sync.err.unsent_other_terminal_kept",
                              n=terminal.ledger.unexported_unsent(),
                              terminal=previous.terminal_id, store=previous.store_id) from exc
        raise
    if previous is not None and (previous.terminal_id, previous.store_id) != (
            answer.terminal_id, answer.store_id):
        _refuse_with_unsent(terminal, "sync.err.unsent_other_terminal",
                            terminal=previous.terminal_id, store=previous.store_id)
    old_info = terminal.settings.terminal_info()
    label = name.strip() or (old_info.name if old_info else "") or f"Kasa {answer.terminal_id}"
    connection = Connection(url, answer.terminal_id, answer.store_id, answer.token, label)
    same_place = previous is not None and (
        previous.server_url, previous.terminal_id, previous.store_id
    ) == (url, answer.terminal_id, answer.store_id)
    with terminal.db.atomic("IMMEDIATE"):
        store.save(connection)
        terminal.settings.set_terminal_info(
            TerminalInfo(answer.terminal_id, label, answer.store_id)
        )
        for doc_type, last in answer.numbers.items():
            terminal.ledger.raise_number_floor(doc_type, int(last))
    if not same_place:
        FeedApplier(terminal.db).forget()
    restrict_to_owner(terminal.db_path)
    log.info("activated as terminal %s of store %s at %s", answer.terminal_id,
             answer.store_id, url)
    return connection


def _refuse_with_unsent(till: Terminal, key: str, **params: object) -> None:
    """Refuse a move to another back office, terminal or store while documents are
    unsent and not exported (DomainError ``key`` with their count ``n``)."""
    waiting = till.ledger.unexported_unsent()
    if waiting:
        log.warning("activation refused: %d unsent document(s) not exported (%s)", waiting, key)
        raise DomainError(key, n=waiting, **params)
