"""Throttling of guessing: wrong activation codes, bad device tokens, failed web sign-ins.

Only FAILURES are counted (a till that activates, pulls and uploads correctly is never
slowed down, however many tills share an address): each rule keeps, per key (a client
address, an activation code's digest, a login name, or ``*`` for every caller), the
times of its failures in a sliding window. A key with ``count`` failures in the last
``seconds`` is refused with HTTP 429 and ``Retry-After`` (the seconds until its oldest
failure in the window ages out) until the window has slid past them; refused requests
are not counted, so waiting out ``Retry-After`` always works.

In-process (one uvicorn worker, as the back office runs): several workers would each
count on their own, which still bounds a guesser to workers × limit. The clock is
injectable (tests move it instead of sleeping). Every failure is logged at INFO with
the client address and the counter; a refusal at WARNING (the 1st, 10th, 100th … of a
key's block, so a flood does not flood the log).

Defaults (:data:`DEFAULT_LIMITS`) are far above what a shop does by mistake — a typo in
an activation code, a revoked till still polling every half minute, an owner who
forgot the password — and far below what guessing needs. ``--throttle`` of
``ipos-backoffice serve`` (or :meth:`Limits.parse`) changes them:
``activation_address=10/900,token_address=60/600``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace

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
                keys = self._failures[rule]
                times = self._window(rule, key, now)
                if times is None:
                    if len(keys) >= MAX_KEYS:
                        keys.popitem(last=False)
                    times = keys[key] = deque()
                limit = self._limit(rule)
                times.append(now)
                while len(times) > limit.count:  # more is never needed to decide
                    times.popleft()
                keys.move_to_end(key)
                counters.append(f"{rule} {key} {len(times)}/{limit}")
        log.info("throttle: failure from %s: %s", address, ", ".join(counters))

    def failures(self, rule: str, key: str) -> int:
        """Failures of ``key`` in ``rule``'s window now (for tests and the log)."""
        with self._lock:
            times = self._window(rule, key, self.clock())
            return 0 if times is None else len(times)
