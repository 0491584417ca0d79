"""The till's screens, each in the module of its subject (registration, payment,
returns, cash, day close, reports …), and the numbered menus that lead to them
(``menus``: the user and service menus). A screen calls the till (``app.till``) and
shows what it answers."""
