"""The pages of iPOS web, one module per menu group (as in iPOS web's menu)."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    account,
    catalogue,
    company,
    config,
    home,
    imports,
    pricing,
    products,
    rates,
    reports,
    staff,
    terminals,
    transactions,
)

#: Every page router, in menu order.
ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    home.router,
    products.router,
    pricing.router,
    company.router,
    catalogue.router,
    rates.router,
    imports.router,
    staff.router,
    config.router,
    terminals.router,
    transactions.router,
    reports.router,
)
