"""In-memory projection store: the same atomic, checkpoint-guarded commits as the SQL stores."""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence

from docsense.adapters.storage._common import (
    check_filters,
    check_name,
    dumps_documents,
    loads,
    matches,
)
from docsense.errors import InvalidArgument, ProjectionConflict
from docsense.ports import Checkpoint, DeadLetter, Filter, JSONObject, ProjectionCommit

__all__ = ["MemoryProjectionStore"]

_Docs = dict[str, dict[str, JSONObject]]  # collection -> key -> doc


class MemoryProjectionStore:
    """Read models, checkpoints and dead letters held in dicts under one lock."""

    #: A commit is a few dict updates: nothing to overlap.
    overlaps_commits = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checkpoints: dict[tuple[str, int], Checkpoint] = {}
        self._docs: dict[tuple[str, int], _Docs] = {}
        self._dead: dict[tuple[str, int, str], DeadLetter] = {}

    async def checkpoints(self, projection: str) -> list[Checkpoint]:
        """Return the projection's generations, oldest first."""
        with self._lock:
            return sorted(
                (c for (p, _), c in self._checkpoints.items() if p == projection),
                key=lambda c: c.generation,
            )

    async def start_generation(self, projection: str) -> Checkpoint:
        """Create the next generation at position 0 (active if it is the first)."""
        check_name("projection", projection)
        with self._lock:
            existing = [c for (p, _), c in self._checkpoints.items() if p == projection]
            generation = max((c.generation for c in existing), default=0) + 1
            checkpoint = Checkpoint(projection, generation, 0, active=not existing)
            self._checkpoints[(projection, generation)] = checkpoint
            self._docs[(projection, generation)] = {}
            return checkpoint

    async def activate_generation(self, projection: str, generation: int) -> None:
        """Swap ``generation`` in and drop the others."""
        with self._lock:
            target = self._checkpoints.get((projection, generation))
            if target is None:
                raise InvalidArgument(f"projection {projection!r} has no generation {generation}")
            for key in [k for k in self._checkpoints if k[0] == projection and k[1] != generation]:
                del self._checkpoints[key]
                self._docs.pop(key, None)
            stale = [k for k in self._dead if k[0] == projection and k[1] != generation]
            for letter_key in stale:
                del self._dead[letter_key]
            self._checkpoints[(projection, generation)] = Checkpoint(
                projection, generation, target.position, active=True
            )

    async def commit(self, batch: ProjectionCommit) -> None:
        """Apply the batch if the checkpoint is still where the batch started."""
        key = (batch.projection, batch.generation)
        # Stored as the SQL stores would hand them back: checked to be JSON, and a copy.
        stored = loads(dumps_documents(batch, [c.doc for c in batch.changes if c.doc is not None]))
        with self._lock:
            current = self._checkpoints.get(key)
            if current is None or current.position != batch.expected_position:
                raise ProjectionConflict(
                    batch.projection, batch.generation, batch.expected_position
                )
            docs = self._docs[key]
            upserts = iter(stored)
            for change in batch.changes:
                collection = docs.setdefault(change.collection, {})
                if change.doc is None:
                    collection.pop(change.key, None)
                else:
                    collection[change.key] = next(upserts)
            for event_id in batch.unparked:
                self._dead.pop((batch.projection, batch.generation, event_id), None)
            for letter in batch.parked:
                self._dead[(batch.projection, batch.generation, letter.event_id)] = letter
            self._checkpoints[key] = Checkpoint(
                batch.projection, batch.generation, batch.new_position, current.active
            )

    async def get_doc(
        self, projection: str, generation: int, collection: str, key: str
    ) -> JSONObject | None:
        """Return one committed document."""
        with self._lock:
            doc = self._docs.get((projection, generation), {}).get(collection, {}).get(key)
        return None if doc is None else _copy(doc)

    def _active_docs(self, projection: str, collection: str) -> list[tuple[str, JSONObject]]:
        for (p, g), checkpoint in self._checkpoints.items():
            if p == projection and checkpoint.active:
                return list(self._docs[(p, g)].get(collection, {}).items())
        return []

    async def query(
        self,
        projection: str,
        collection: str,
        *,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[JSONObject]:
        """Return matching documents of the active generation, ordered and paginated."""
        check_filters(filters, order_by)
        with self._lock:
            rows = [
                (k, d) for k, d in self._active_docs(projection, collection) if matches(d, filters)
            ]
        rows.sort(key=lambda row: row[0])
        if order_by is not None:
            present = [r for r in rows if r[1].get(order_by) is not None]
            missing = [r for r in rows if r[1].get(order_by) is None]
            present.sort(key=lambda row: row[1][order_by], reverse=descending)
            rows = present + missing
        return [_copy(doc) for _, doc in rows[max(offset, 0) : max(offset, 0) + max(limit, 0)]]

    async def count(
        self, projection: str, collection: str, *, filters: Sequence[Filter] = ()
    ) -> int:
        """Return how many active documents match."""
        check_filters(filters)
        with self._lock:
            return sum(
                1 for _, d in self._active_docs(projection, collection) if matches(d, filters)
            )

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return parked events of active generations, in event order."""
        with self._lock:
            active = {(p, g) for (p, g), c in self._checkpoints.items() if c.active}
            letters = [
                d
                for (p, g, _), d in self._dead.items()
                if (p, g) in active and (projection is None or p == projection)
            ]
        return sorted(letters, key=lambda d: (d.projection, d.position))


def _copy(doc: JSONObject) -> JSONObject:
    """Copy ``doc`` deeply, so that callers changing what they got leave the store alone."""
    return copy.deepcopy(doc)
