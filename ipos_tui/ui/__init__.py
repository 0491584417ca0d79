"""The till's Textual UI: it renders and sends keys; the use cases are in
:mod:`ipos_tui.till`.

Layers, top to bottom (import-linter contract "ui: health -> app -> screens -> ...";
nothing imports upward, except the App's type for type checking):

- ``health``: the update's health check, which runs a whole App headless;
- ``app``: the App (start-up, login, the top bar's state);
- ``background`` (the background upload) and ``recovery`` (printing at start what
  a crash left unprinted, retrying failed pulls): what the App runs besides the
  screens;
- ``screens``: every full screen and the menus that open them (``menus``,
  ``reports``, ``discounts``, ``printouts`` …), with ``sync_runner`` beside them;
- ``dialogs``: modal dialogs (confirm, form, menu, text, the manager's PIN);
- ``widgets``: the code line, the key bar, the top bar, numbered menus, row lists;
- base modules: ``errors`` (what a refusal or an unexpected error reads as, and the
  guard that keeps the till running), ``keys``, ``key_order``, ``glyphs``,
  ``resources``.
"""
