"""Pure POS logic: money, quantities, VAT, receipts, search forms, validation.

Nothing here does I/O or imports another part of ipos_tui; every rule a cashier can
break raises :class:`~ipos_tui.domain.errors.DomainError` with a message-catalogue key.
"""
