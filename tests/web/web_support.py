"""iPOS web in tests: a real back office (demo shop) on uvicorn, and a browser-like
client (httpx with cookies) that signs in and posts forms with their CSRF token."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')
#: The demo owner's iPOS web login (``init --demo``).
OWNER = ("1001", "demo")


class WebClient:
    """A browser without JavaScript: follows nothing by itself, keeps cookies."""

    def __init__(self, base: str, language: str = "pl") -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=30,
                                 headers={"Accept-Language": language})
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = CSRF_RE.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> httpx.Response:
        """Post a form the way the page would (its CSRF token included)."""
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        response = self.http.post(path, data=form, **kwargs)
        found = CSRF_RE.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def login(self, login: str = OWNER[0], password: str = OWNER[1],
              next_path: str = "/") -> httpx.Response:
        self.get("/login")
        response = self.post("/login", {"login": login, "password": password,
                                        "next": next_path})
        if response.status_code == 303:
            self.get(response.headers["location"])  # the session's CSRF token
        return response

    def close(self) -> None:
        self.http.close()


def main_text(html: str) -> str:
    """The visible text of a page's <main>, tags removed, spaces squeezed."""
    body = html.split("<main>", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
