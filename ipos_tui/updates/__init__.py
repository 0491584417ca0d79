"""Signed application updates of the terminal: check, download, verify, stage, install.

UI-free (no Textual): the update screen, the headless ``ipos-tui update`` commands and
the day-close hook all call these modules. The lifecycle (DESIGN.md "App update
lifecycle"): check → download (resumable) → verify (signature with a key the terminal
already trusts, sha256, size, version strictly newer, expiry) → staged → installed by
:func:`ipos_tui.updates.hook.run_staged_install` after day close → health check →
committed, or rolled back to the kept previous wheelhouse.
"""
