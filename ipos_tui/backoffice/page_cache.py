"""Pull pages built once and served to every till that asks for the same page.

When a store's tills pull a stream from the same cursor at the same revision of the
company's feed, they get the same bytes: the page depends only on the company, the
store and its price list, the stream, the cursor, the page size, the form (plain or
compact, with totals or not), whether it restarts the stream, the feed's revision and
the PIN key version (:meth:`PullService.pull_rendered` builds the key). So the first
till builds the page (read the feed, build the payloads, encode, compress) and the
others are served the stored bytes. A new change moves the feed's revision: later
pulls ask for new keys, and the old pages age out of the cache (least recently used
first, within :data:`DEFAULT_MAX_BYTES`).

One cache per server process (each worker builds its own pages once). Two tills
missing the same page at the same moment build it once: the second waits for the first.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

#: What the cache may hold in all (bodies and their compressed forms), in bytes.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

#: The compression level of GZipMiddleware, so cached and uncached answers agree.
GZIP_LEVEL = 6


#: Bodies smaller than this are sent as they are (as GZipMiddleware's minimum_size).
GZIP_MIN_SIZE = 800


@dataclass(frozen=True)
class Page:
    """A page as sent (JSON bytes, and gzip-compressed when worth it), and what the
    server keeps about it."""

    body: bytes
    cursor: int
    has_more: bool
    gzipped: bytes | None = None

    @classmethod
    def make(cls, body: bytes, cursor: int, has_more: bool) -> Page:
        packed = (gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
                  if len(body) >= GZIP_MIN_SIZE else None)
        return cls(body, cursor, has_more, packed)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class PageCache:
    """A bounded, thread-safe LRU of :class:`Page` by key."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.stats = CacheStats()
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get_or_build(self, key: Hashable, build: Callable[[], Page]) -> Page:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                self.stats.hits += 1
                return page
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one builder per key; the others wait and take its page
            with self._lock:
                page = self._pages.get(key)
                if page is not None:
                    self.stats.hits += 1
                    return page
            try:
                page = build()
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self.stats.misses += 1
                self._pages[key] = page
                self._bytes += page.size
                self._building.pop(key, None)
                while self._bytes > self.max_bytes and len(self._pages) > 1:
                    _, oldest = self._pages.popitem(last=False)
                    self._bytes -= oldest.size
            return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0
