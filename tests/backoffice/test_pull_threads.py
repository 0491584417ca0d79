"""A herd of pulls never makes an upload wait: FastPulls answers at most
``PULL_THREADS`` pulls at once per worker and leaves the rest of the thread pool to
the other calls (issue 17: the opening herd set the upload p99).

What is tried: eight pulls held inside the page build at once, then a call that is
not a pull (an upload's place) must be answered while they are all still held, and
no more than ``threads`` pulls may ever be inside at once."""

from __future__ import annotations

import asyncio
import threading

import httpx
from fastapi.responses import Response

from ipos_tui.backoffice.api.pulls import PULL_THREADS, FastPulls, PullCall, pull_threads


class HeldPulls:
    """A pull answerer that holds every pull until released, counting how many are
    inside at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.inside = self.most = self.answered = 0

    def __call__(self, call: PullCall) -> Response:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.release.wait(10)
        with self.lock:
            self.inside -= 1
            self.answered += 1
        return Response(f'{{"stream":"{call.stream}"}}', media_type="application/json")


async def other_calls(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """The rest of the app: answers at once (an upload's place)."""
    await Response("other", media_type="text/plain")(scope, receive, send)


async def test_pulls_beyond_the_limit_wait_and_other_calls_do_not() -> None:
    held = HeldPulls()
    app = FastPulls(other_calls, serve=held, threads=2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://office") as client:
        pulls = [asyncio.create_task(client.get(
            "/api/v1/sync/products", params={"since": i},
            headers={"Authorization": "Bearer token"})) for i in range(8)]
        for _ in range(200):  # until the two the limit lets in are inside
            await asyncio.sleep(0.01)
            if held.inside == 2:
                break
        other = await asyncio.wait_for(client.post("/api/v1/transactions", content=b"{}"), 5)
        assert other.text == "other"
        assert held.inside == 2 and held.answered == 0  # every pull still held or waiting
        held.release.set()
        answers = await asyncio.gather(*pulls)
    assert [a.status_code for a in answers] == [200] * 8
    assert held.most == 2 and held.answered == 8



def test_workers_of_one_machine_share_the_pull_threads() -> None:
    """Several workers on one machine answer no more pulls at once together than one
    alone would (each its share, never none)."""
    assert [pull_threads(n) for n in (1, 2, 4, 8, 64)] == [
        PULL_THREADS, PULL_THREADS // 2, PULL_THREADS // 4, 1, 1]
    assert pull_threads(0) == PULL_THREADS  # nonsense in, the whole limit out
