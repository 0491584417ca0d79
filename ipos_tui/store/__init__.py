"""The terminal's local database: catalogue, ledger, login and local settings.

Open it with :func:`open_terminal`; the returned :class:`Terminal` carries the
services the UI and the sync engine use (``catalog``, ``ledger``, ``auth``,
``settings``). Nothing outside this package touches peewee: services take and
return the frozen records of :mod:`ipos_tui.domain.records`.
"""

from ipos_tui.store.db import Terminal, open_terminal

__all__ = ["Terminal", "open_terminal"]
