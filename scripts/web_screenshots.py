"""Regenerate screenshots/web-*.png: iPOS web's main pages in Debian's chromium, as the
demo owner sees them after a few days of sales from two tills.

    python scripts/web_screenshots.py

A demo back office in a temporary directory, served on 127.0.0.1; two tills activated
through the API push receipts of the last days (one of them left unsent, as a till
reports it), then the browser signs in as 1001 / demo and takes each page at 1280x800.
"""

from __future__ import annotations

import random
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from browser_support import launched_browser, sign_in  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.db import open_database  # noqa: E402
from ipos_tui.demo.backoffice import seed_demo  # noqa: E402
from ipos_tui.backoffice.embedded import EmbeddedServer  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION  # noqa: E402

SHOTS = {
    "web-login": "/login",
    "web-dashboard": "/",
    "web-assortment": "/products?q=mleko",
    "web-price-list": "/price-lists/1?q=chleb",
    "web-staff": "/staff",
    "web-settings": "/settings",
    "web-terminals": "/terminals",
    "web-transactions": "/transactions?store=1",
    "web-reports": "/reports",
}


def _receipt(office: BackOffice, store_id: int, number: int, when: datetime,
             rng: random.Random) -> dict[str, object]:
    products = list(m.Product.select().where(m.Product.active == True).limit(60))  # noqa: E712
    lines, total, vat = [], 0, {}
    for position in range(rng.randint(1, 4)):
        product = rng.choice(products)
        price = m.Price.get_or_none((m.Price.product == product.id)
                                    & (m.Price.price_list == store_id))
        if price is None or not price.price:
            continue
        qty = 1000 * rng.randint(1, 3)
        value = price.price * qty // 1000
        lines.append({"name": product.name, "plu": product.plu, "product_id": product.id,
                      "vat": product.vat, "unit_price": price.price, "qty": qty,
                      "value": value, "position": position + 1})
        total += value
        vat[product.vat] = vat.get(product.vat, 0) + value
    return {"type": "receipt", "uuid": str(uuid.uuid4()), "number": number,
            "store_id": store_id, "created_at": when.isoformat(), "cashier_id": 1,
            "cashier_identifier": "1001", "lines": lines,
            "payments": [{"method": "cash", "amount": total, "change": 0}],
            "total": total, "vat_totals": vat}


def build_shop(office: BackOffice, url: str) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for store_id, name in ((1, "Kasa 1"), (2, "Kasa 2")):
        _, code = office.add_terminal(store_id, name)
        body = httpx.post(f"{url}/api/v1/activate", json={"code": code, "name": name}).json()
        headers = {"Authorization": f"Bearer {body['token']}",
                   "X-Protocol-Version": str(PREVIOUS_PROTOCOL_VERSION), "X-Terminal-Version": "0.1.0"}
        with httpx.Client(base_url=url, headers=headers) as till:
            for stream in ("config", "users", "products"):
                cursor, more = 0, True
                while more:
                    page = till.get(f"/api/v1/sync/{stream}", params={"since": cursor}).json()
                    cursor, more = page["cursor"], page["has_more"]
            documents = [_receipt(office, store_id, n, now - timedelta(hours=5 * n), rng)
                         for n in range(1, 30)]
            documents = [d for d in documents if d["lines"]]
            pending = {"X-Pending-Count": "1",
                       "X-Oldest-Pending": (now - timedelta(minutes=40)).isoformat()}
            till.post("/api/v1/transactions", json={"documents": documents},
                      headers=pending if store_id == 2 else {}).raise_for_status()
    office.add_terminal(1, "Kasa 2 (nowa)")


def main() -> None:
    out = ROOT / "screenshots"
    with tempfile.TemporaryDirectory() as tmp:
        office = BackOffice(open_database(f"sqlite:///{tmp}/backoffice.db"), b"screenshots")
        office.init_schema()
        seed_demo(office)
        with EmbeddedServer(office) as url, launched_browser() as browser:
            build_shop(office, url)
            context = browser.new_context(locale="pl-PL", base_url=url,
                                          viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{url}/login")
            page.screenshot(path=str(out / "web-login.png"))
            sign_in(page, url)
            for name, path in SHOTS.items():
                if name == "web-login":
                    continue
                page.goto(f"{url}{path}")
                page.screenshot(path=str(out / f"{name}.png"), full_page=False)
                print(name, path, page.title())
            context.close()


if __name__ == "__main__":
    main()
