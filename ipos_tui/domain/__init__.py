"""Pure POS logic: money, quantities, VAT, receipts, search forms, validation.

Nothing here does I/O or imports another part of ipos_tui; every rule a cashier can
break raises :class:`~ipos_tui.domain.errors.DomainError` with a message-catalogue key.

Modules:

- ``money``: grosze, half-up rounding, parsing typed amounts, babel formatting.
- ``quantity``: quantities in thousandths of a unit, units and their precision.
- ``vat``: printer VAT letters, VAT from gross, per-letter totals.
- ``receipt``: receipt lines, line and receipt discounts, payments and change.
- ``search``: diacritics-free and T9 forms of names for name search.
- ``validation``: NIP, barcodes, PLU, product names, what a typed code is.
"""
