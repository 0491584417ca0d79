"""Progress events of sync jobs, a cancel token, and the observer type.

Every job (``config``, ``users``, ``products``, ``transactions``) reports what it
does item by item through an observer callback, so the Textual screens and the
headless ``ipos-tui sync`` render the same rows without the engine knowing either.
Events are small frozen dataclasses: safe to hand across threads (a Textual worker
posts them to the screen as they are).

Item ids are stable strings the UI maps to labels: "company", "stores", "settings",
"payment_methods", "users", "vat_rates", "units", "categories", "products",
"barcodes", "prices", "discounts"; the transactions job uses the document number
as text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

JOB_CONFIG: Final = "config"
JOB_USERS: Final = "users"
JOB_PRODUCTS: Final = "products"
JOB_TRANSACTIONS: Final = "transactions"
#: Every job, in the order ``sync all`` runs them.
JOBS: Final[tuple[str, ...]] = (JOB_CONFIG, JOB_USERS, JOB_PRODUCTS, JOB_TRANSACTIONS)

#: The items each pull job reports, in display order.
JOB_ITEMS: Final[dict[str, tuple[str, ...]]] = {
    JOB_CONFIG: ("company", "stores", "settings", "payment_methods"),
    JOB_USERS: ("users",),
    JOB_PRODUCTS: (
        "vat_rates", "units", "categories", "products", "barcodes", "prices", "discounts",
    ),
}


@dataclass(frozen=True, slots=True)
class ItemStarted:
    """An item began; ``total`` is how many changes it expects, when known."""

    job: str
    item: str
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """``done`` changes of the item are applied (of ``total``, when known)."""

    job: str
    item: str
    done: int
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ItemDone:
    """The item finished: rows added, changed and removed on this terminal."""

    job: str
    item: str
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class ItemFailed:
    """The item failed; ``key`` is a message-catalogue key, ``params`` fill it in."""

    job: str
    item: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobFinished:
    """The job ended; ``ok`` is False when any item failed or it was cancelled."""

    job: str
    ok: bool


Event = ItemStarted | ItemProgress | ItemDone | ItemFailed | JobFinished
#: Receives every event of a job, on the job's thread.
Observer = Callable[[object], None]


def null_observer(_event: object) -> None:
    """An observer that ignores everything (for callers that only want the result)."""


class CancelToken:
    """Asks a running job to stop at its next safe point (between pages).

    Thread-safe: the UI thread cancels, the worker thread checks.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Request the stop; idempotent."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()
