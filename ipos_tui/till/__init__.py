"""The till's use cases over the local database (:mod:`ipos_tui.store`) and the devices
(:mod:`ipos_tui.devices`), without Textual: cash operations and shifts, deposit
returns, returns, invoices, reports, and printing what a crash left unprinted."""
