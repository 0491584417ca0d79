"""What is left of the old ``terminal`` package: the demo shop's till data (``demo``).

The local database moved to :mod:`ipos_tui.store`, the simulated devices to
:mod:`ipos_tui.devices` and the use cases to :mod:`ipos_tui.till` (issue 16).
"""
