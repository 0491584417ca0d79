"""The pages of iPOS web, one module per menu group (as in iPOS web's menu)."""

from __future__ import annotations

from fastapi import APIRouter

from . import account, catalogue, config, home, pricing, products, terminals, transactions

#: Every page router, in menu order.
ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    home.router,
    products.router,
    pricing.router,
    catalogue.router,
    config.router,
    terminals.router,
    transactions.router,
)
