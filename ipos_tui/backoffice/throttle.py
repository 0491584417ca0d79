"""Throttling of guessing: wrong activation codes, bad device tokens, failed web sign-ins.

Only FAILURES are counted (a till that activates, pulls and uploads correctly is never
slowed down, however many tills share an address): each rule keeps, per key (a client
address, an activation code's digest, a login name, or ``*`` for every caller), the
times of its failures in a sliding window. A key with ``count`` failures in the last
``seconds`` is refused with HTTP 429 and ``Retry-After`` (the seconds until its oldest
failure in the window ages out) until the window has slid past them; refused requests
are not counted, so waiting out ``Retry-After`` always works.

:class:`Throttle` counts in its process. :class:`SharedThrottle` (what ``serve`` uses on
PostgreSQL, where several workers on several machines answer one chain) also writes
each failure to the database and folds in the other processes' failures at most once a
second, so a guesser spreading requests over the workers meets the same limits; a
restarted worker keeps counting where it was. The clock is injectable (tests move it
instead of sleeping). Every failure is logged at INFO with
the client address and the counter; a refusal at WARNING (the 1st, 10th, 100th … of a
key's block, so a flood does not flood the log).

Defaults (:data:`DEFAULT_LIMITS`) are far above what a shop does by mistake — a typo in
an activation code, a revoked till still polling every half minute, an owner who
forgot the password — and far below what guessing needs. ``--throttle`` of
``ipos-backoffice serve`` (or :meth:`Limits.parse`) changes them:
``activation_address=10/900,token_address=60/600``.
"""

from __future__ import annotations

import bisect
import logging
import math
import os
import secrets
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from peewee import DatabaseError, InterfaceError

from ipos_tui.backoffice.models import ThrottleFailure

log = logging.getLogger(__name__)

#: Keys kept per rule at most (old keys are dropped first): bounded memory under a
#: flood from many addresses.
MAX_KEYS = 50_000


@dataclass(frozen=True)
class Limit:
    """At most ``count`` failures per key in any ``seconds`` (a sliding window)."""

    count: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}"


@dataclass(frozen=True)
class Limits:
    """The rules, by name (the name is also what the log and ``--throttle`` say)."""

    #: Wrong activation codes (invalid, expired or used) from one client address.
    activation_address: Limit = Limit(10, 900)
    #: Failed activations with the same code (e.g. a used code tried again and again).
    activation_code: Limit = Limit(10, 900)
    #: Wrong activation codes from every address together (distributed guessing).
    activation_total: Limit = Limit(200, 900)
    #: Requests with a missing, unknown or revoked device token from one address.
    token_address: Limit = Limit(60, 600)
    #: Failed iPOS web sign-ins from one address.
    login_address: Limit = Limit(30, 900)
    #: Failed iPOS web sign-ins with one login name (known or not).
    login_name: Limit = Limit(10, 900)

    def text(self) -> str:
        """Every rule as ``rule=count/seconds`` pairs: what :meth:`parse` reads back."""
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))

    @classmethod
    def parse(cls, text: str, base: Limits | None = None) -> Limits:
        """``base`` (default: the defaults) with ``rule=count/seconds`` pairs, comma
        separated, changed. Raises ValueError naming what is wrong."""
        limits = base or cls()
        names = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            count, _, seconds = value.partition("/")
            name = name.strip()
            if name not in names:
                raise ValueError(f"unknown throttle rule {name!r} (known: {', '.join(sorted(names))})")
            try:
                limit = Limit(int(count), float(seconds))
            except ValueError:
                raise ValueError(f"{part!r}: write rule=count/seconds, e.g. {name}=10/900") from None
            if limit.count < 1 or not 0 < limit.seconds <= 7 * 86400:
                raise ValueError(f"{part!r}: count ≥ 1 and 0 < seconds ≤ 604800")
            limits = replace(limits, **{name: limit})
        return limits


DEFAULT_LIMITS = Limits()


class Throttled(Exception):
    """A key is over its rule's limit; ``retry_after`` whole seconds until it is not."""

    def __init__(self, rule: str, key: str, failures: int, retry_after: int) -> None:
        super().__init__(f"{rule} {key}: {failures} failures, retry after {retry_after} s")
        self.rule, self.key, self.failures, self.retry_after = rule, key, failures, retry_after


class Throttle:
    """Failure counters of every rule; thread-safe (FastAPI runs sync routes in threads)."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, OrderedDict[str, deque[float]]] = {
            f.name: OrderedDict() for f in fields(Limits)}
        self._refused: dict[tuple[str, str], int] = {}

    def _limit(self, rule: str) -> Limit:
        return getattr(self.limits, rule)

    def _window(self, rule: str, key: str, now: float) -> deque[float] | None:
        """The key's failures still in the window (expired ones dropped)."""
        times = self._failures[rule].get(key)
        if times is None:
            return None
        horizon = now - self._limit(rule).seconds
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._failures[rule][key]
            self._refused.pop((rule, key), None)
            return None
        return times

    def check(self, checks: Iterable[tuple[str, str]], address: str = "?") -> None:
        """Raise :class:`Throttled` for the first ``(rule, key)`` over its limit (the
        longest wait of those over it). ``address`` is for the log."""
        now = self.clock()
        worst: Throttled | None = None
        with self._lock:
            for rule, key in checks:
                times = self._window(rule, key, now)
                limit = self._limit(rule)
                if times is None or len(times) < limit.count:
                    continue
                wait = max(1, math.ceil(times[-limit.count] + limit.seconds - now))
                if worst is None or wait > worst.retry_after:
                    worst = Throttled(rule, key, len(times), wait)
            if worst is None:
                return
            refused = self._refused[(worst.rule, worst.key)] = \
                self._refused.get((worst.rule, worst.key), 0) + 1
        if refused == 1 or math.log10(refused).is_integer():
            log.warning("throttle %s: refused %s from %s (%d refused so far): %d failures "
                        "in %g s, retry after %d s", worst.rule, worst.key, address, refused,
                        worst.failures, self._limit(worst.rule).seconds, worst.retry_after)
        raise worst

    def failed(self, checks: Iterable[tuple[str, str]], address: str = "?") -> None:
        """Count one failure for every ``(rule, key)``; logged with the counters."""
        now = self.clock()
        counters = []
        with self._lock:
            for rule, key in checks:
                self._window(rule, key, now)  # drop what has aged out first
                times = self._remember(rule, key, now)
                counters.append(f"{rule} {key} {len(times)}/{self._limit(rule)}")
        log.info("throttle: failure from %s: %s", address, ", ".join(counters))

    def _remember(self, rule: str, key: str, at: float) -> deque[float]:
        """One failure of ``key`` at ``at`` (in time order; caller holds the lock)."""
        keys = self._failures[rule]
        times = keys.get(key)
        if times is None:
            if len(keys) >= MAX_KEYS:
                keys.popitem(last=False)
            times = keys[key] = deque()
        bisect.insort(times, at)
        while len(times) > self._limit(rule).count:  # more is never needed to decide
            times.popleft()
        keys.move_to_end(key)
        return times

    def failures(self, rule: str, key: str) -> int:
        """Failures of ``key`` in ``rule``'s window now (for tests and the log)."""
        with self._lock:
            times = self._window(rule, key, self.clock())
            return 0 if times is None else len(times)


class SharedThrottle(Throttle):
    """:class:`Throttle` whose failures every process of the back office counts.

    Each failure is also written to ``throttle_failure`` (Unix time, the writing
    process); before deciding, a process reads the failures the others wrote since it
    last looked (at most every ``sync_seconds``). Reading by time with a margin (and
    remembering which rows it took) tolerates rows committed late and clocks a few
    seconds apart. The database being unreachable never fails a request: the process
    then counts on its own, as :class:`Throttle` does. Rows older than the longest
    window are deleted now and then.
    """

    #: how far back a look reaches beyond the previous one (late commits, clock skew)
    MARGIN_SECONDS = 30.0

    def __init__(self, db: Any, limits: Limits = DEFAULT_LIMITS,
                 clock: Callable[[], float] = time.time, sync_seconds: float = 1.0,
                 origin: str | None = None) -> None:
        super().__init__(limits, clock)
        self.db = db
        self.sync_seconds = sync_seconds
        self.origin = origin or f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._longest = max(getattr(limits, f.name).seconds for f in fields(Limits))
        self._looked_at: float | None = None
        self._taken: dict[int, float] = {}  # rows already counted: id -> at
        self._look_lock = threading.Lock()
        self._writes = 0

    def check(self, checks: Iterable[tuple[str, str]], address: str = "?") -> None:
        self._fold_in()
        super().check(checks, address)

    def failed(self, checks: Iterable[tuple[str, str]], address: str = "?") -> None:
        checks = list(checks)
        super().failed(checks, address)
        now = self.clock()
        try:
            with self.db.atomic():
                ThrottleFailure.insert_many([
                    {"rule": rule, "key": key[:200], "at": now, "origin": self.origin}
                    for rule, key in checks]).execute()
                self._writes += 1
                if self._writes % 200 == 1:  # now and then: forget what no window needs
                    ThrottleFailure.delete().where(
                        ThrottleFailure.at < now - self._longest - self.MARGIN_SECONDS).execute()
        except (DatabaseError, InterfaceError) as exc:
            log.warning("throttle: failure not shared (%s); counted in this process only", exc)

    def _fold_in(self) -> None:
        """Count the failures other processes wrote since the last look."""
        now = self.clock()
        if self._looked_at is not None and now - self._looked_at < self.sync_seconds:
            return
        if not self._look_lock.acquire(blocking=False):
            return  # another thread of this process is looking right now
        try:
            since = (now - self._longest if self._looked_at is None
                     else self._looked_at - self.MARGIN_SECONDS)
            f = ThrottleFailure
            try:
                rows = list(f.select(f.id, f.rule, f.key, f.at).where(
                    (f.at > since) & (f.origin != self.origin)).order_by(f.at).tuples())
            except (DatabaseError, InterfaceError) as exc:
                log.warning("throttle: the other workers' failures unreadable (%s)", exc)
                return
            self._looked_at = now
            with self._lock:
                for row_id, rule, key, at in rows:
                    if row_id in self._taken or rule not in self._failures:
                        continue
                    self._taken[row_id] = at
                    if at > now - self._limit(rule).seconds:
                        self._remember(rule, key, at)
                horizon = now - self._longest - self.MARGIN_SECONDS
                for row_id in [i for i, at in self._taken.items() if at < horizon]:
                    del self._taken[row_id]
        finally:
            self._look_lock.release()
