"""Time-ordered identifiers (UUID version 7, RFC 9562) for events and new streams.

Event ids are the key of a unique index in every store. Random (version 4) ids land in a
different page of that index each time, so a transaction of ten events writes about ten
more pages than ten ids that sort by time; SQLite appends of ten events ran at half the
speed (``benchmarks/RESULTS.md``, issue 15). A version 7 id starts with the Unix time in
milliseconds, then 74 random bits: ids made in order sort in order, and they stay unique
and unguessable.

>>> a, b = uuid7(), uuid7()
>>> a.version, str(a) < str(b) or a.time_ms == b.time_ms
(7, True)
"""

from __future__ import annotations

import os
import time
import uuid

__all__ = ["Uuid7", "new_id", "uuid7"]


class Uuid7(uuid.UUID):
    """A :class:`uuid.UUID` of version 7 that can say its timestamp."""

    @property
    def time_ms(self) -> int:
        """Milliseconds since the Unix epoch at which the id was made."""
        return self.int >> 80


_MS_MASK = (1 << 48) - 1
_RAND_B_MASK = (1 << 62) - 1
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)


def _uuid7_int(now_ms: int | None) -> int:
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    return (
        ((ms & _MS_MASK) << 80)
        | _VERSION_AND_VARIANT
        | (((rand >> 68) & 0xFFF) << 64)  # rand_a, 12 bits
        | (rand & _RAND_B_MASK)  # rand_b, 62 bits
    )


def uuid7(now_ms: int | None = None) -> Uuid7:
    """Return a new version 7 UUID for ``now_ms`` (default: the current time)."""
    return Uuid7(int=_uuid7_int(now_ms))


def new_id() -> str:
    """Return a new time-ordered id as a string (the form stored in events).

    The same value :func:`uuid7` makes, formatted without building a :class:`uuid.UUID`
    (ids are made for every event, and the object costs about as much as the id).

    >>> import uuid
    >>> uuid.UUID(new_id()).version
    7
    """
    h = f"{_uuid7_int(None):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
