"""The projection-store contract: every :class:`~docsense.ports.ProjectionStore` must pass it.

Subclass :class:`ProjectionStoreContract` and provide the ``open_store`` fixture exactly as for
:class:`~docsense.testing.StorageContract`; the suite uses ``store.projections``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import pytest_asyncio

from docsense.errors import InvalidArgument, ProjectionConflict
from docsense.ports import (
    DeadLetter,
    Filter,
    ProjectionCommit,
    ProjectionStore,
    ReadModelChange,
    Storage,
)

__all__ = ["ProjectionStoreContract"]

OpenStore = Callable[[], Awaitable[Storage]]


def _name() -> str:
    return f"proj-{uuid.uuid4().hex[:8]}"


def _letter(projection: str, generation: int, event_id: str, position: int) -> DeadLetter:
    return DeadLetter(
        projection=projection,
        generation=generation,
        event_id=event_id,
        position=position,
        event_type="ThingHappened",
        stream_id="thing-1",
        error="ValueError: boom",
        traceback="Traceback (most recent call last): ...",
        attempts=3,
        parked_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


_PEOPLE: list[dict[str, Any]] = [
    {"name": "ada", "age": 36, "team": "x", "joined": "2026-01-05T10:00:00+00:00", "ok": True},
    {"name": "bob", "age": 7, "team": "y", "joined": "2026-01-02T10:00:00+00:00", "ok": False},
    {"name": "cy", "age": 120, "team": "x", "joined": "2026-02-01T10:00:00+00:00", "ok": True},
    {"name": "dee", "team": "z", "joined": "2025-12-31T23:59:59+00:00"},
]


class ProjectionStoreContract:
    """Contract tests for :class:`~docsense.ports.ProjectionStore`."""

    max_position: int = 2**127
    """The largest position the backend's event store can produce (SQLite: 2**63 - 1)."""

    @pytest_asyncio.fixture
    async def store(self, open_store: OpenStore) -> Storage:
        """One connection to the fresh backend."""
        return await open_store()

    @staticmethod
    async def _seeded(store: Storage) -> tuple[ProjectionStore, str]:
        projections = store.projections
        name = _name()
        checkpoint = await projections.start_generation(name)
        changes = tuple(ReadModelChange("people", p["name"], p) for p in _PEOPLE)
        await projections.commit(ProjectionCommit(name, checkpoint.generation, 0, 10, changes))
        return projections, name

    @pytest.mark.asyncio
    async def test_overlaps_commits_is_a_bool(self, store: Storage) -> None:
        # Runners read it to decide whether to project on while a commit is in flight.
        assert isinstance(store.projections.overlaps_commits, bool)

    @pytest.mark.asyncio
    async def test_first_generation_is_active_and_later_ones_are_not(self, store: Storage) -> None:
        projections = store.projections
        name = _name()
        assert await projections.checkpoints(name) == []
        first = await projections.start_generation(name)
        second = await projections.start_generation(name)
        assert (first.generation, first.position, first.active) == (1, 0, True)
        assert (second.generation, second.position, second.active) == (2, 0, False)
        assert [c.generation for c in await projections.checkpoints(name)] == [1, 2]

    @pytest.mark.asyncio
    async def test_commit_writes_documents_and_moves_the_checkpoint(self, store: Storage) -> None:
        projections, name = await self._seeded(store)
        [checkpoint] = await projections.checkpoints(name)
        assert checkpoint.position == 10
        assert await projections.get_doc(name, 1, "people", "ada") == _PEOPLE[0]
        await projections.commit(
            ProjectionCommit(
                name,
                1,
                10,
                20,
                (
                    ReadModelChange("people", "ada", {**_PEOPLE[0], "age": 37}),
                    ReadModelChange("people", "bob", None),
                ),
            )
        )
        assert (await projections.get_doc(name, 1, "people", "ada") or {})["age"] == 37
        assert await projections.get_doc(name, 1, "people", "bob") is None
        assert await projections.count(name, "people") == 3

    @pytest.mark.asyncio
    async def test_commit_at_a_stale_position_raises_and_writes_nothing(
        self, store: Storage
    ) -> None:
        projections, name = await self._seeded(store)
        with pytest.raises(ProjectionConflict):
            await projections.commit(
                ProjectionCommit(
                    name,
                    1,
                    0,
                    30,
                    (ReadModelChange("people", "eve", {"name": "eve"}),),
                    parked=(_letter(name, 1, "e-1", 25),),
                )
            )
        assert await projections.get_doc(name, 1, "people", "eve") is None
        assert await projections.dead_letters(name) == []
        assert (await projections.checkpoints(name))[0].position == 10

    @pytest.mark.asyncio
    async def test_concurrent_commits_of_one_batch_apply_it_once(
        self, open_store: OpenStore
    ) -> None:
        stores = [await open_store() for _ in range(6)]
        projections = stores[0].projections
        name = _name()
        await projections.start_generation(name)
        results = await asyncio.gather(
            *(
                s.projections.commit(
                    ProjectionCommit(name, 1, 0, 5, (ReadModelChange("runs", "r", {"by": i}),))
                )
                for i, s in enumerate(stores)
            ),
            return_exceptions=True,
        )
        assert sum(r is None for r in results) == 1
        assert all(isinstance(r, ProjectionConflict) for r in results if r is not None)
        assert await projections.count(name, "runs") == 1

    @pytest.mark.asyncio
    async def test_readers_see_only_the_active_generation_until_the_swap(
        self, store: Storage
    ) -> None:
        projections, name = await self._seeded(store)
        rebuilt = await projections.start_generation(name)
        await projections.commit(
            ProjectionCommit(
                name,
                rebuilt.generation,
                0,
                10,
                (ReadModelChange("people", "zed", {"name": "zed"}),),
                parked=(_letter(name, rebuilt.generation, "e-9", 9),),
            )
        )
        await projections.commit(
            ProjectionCommit(name, 1, 10, 11, parked=(_letter(name, 1, "e-1", 11),))
        )
        assert await projections.count(name, "people") == 4
        assert [d.event_id for d in await projections.dead_letters(name)] == ["e-1"]
        await projections.activate_generation(name, rebuilt.generation)
        assert [d["name"] for d in await projections.query(name, "people")] == ["zed"]
        assert [d.event_id for d in await projections.dead_letters(name)] == ["e-9"]
        [checkpoint] = await projections.checkpoints(name)
        assert (checkpoint.generation, checkpoint.active, checkpoint.position) == (2, True, 10)
        with pytest.raises(ProjectionConflict):  # a runner still on generation 1 must stop
            await projections.commit(ProjectionCommit(name, 1, 11, 12))

    @pytest.mark.asyncio
    async def test_activating_an_unknown_generation_is_invalid(self, store: Storage) -> None:
        projections, name = await self._seeded(store)
        with pytest.raises(InvalidArgument):
            await projections.activate_generation(name, 99)

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ([Filter("team", "=", "x")], ["ada", "cy"]),
            ([Filter("team", "!=", "x")], ["bob", "dee"]),
            ([Filter("age", ">", 7)], ["ada", "cy"]),
            ([Filter("age", ">=", 7), Filter("age", "<", 100)], ["ada", "bob"]),
            ([Filter("age", "<=", 36.0)], ["ada", "bob"]),
            ([Filter("joined", ">=", "2026-01-03")], ["ada", "cy"]),
            ([Filter("joined", "<", "2026-01-01")], ["dee"]),
            ([Filter("team", "in", ["y", "z"])], ["bob", "dee"]),
            ([Filter("age", "in", [7, 120])], ["bob", "cy"]),
            ([Filter("team", "in", [])], []),
            ([Filter("ok", "=", True)], ["ada", "cy"]),
            ([Filter("missing", "=", "x")], []),
            ([Filter("age", "!=", 7)], ["ada", "cy"]),
        ],
    )
    async def test_filters_select_documents(
        self, store: Storage, filters: list[Filter], expected: list[str]
    ) -> None:
        projections, name = await self._seeded(store)
        found = await projections.query(name, "people", filters=filters)
        assert sorted(d["name"] for d in found) == expected
        assert await projections.count(name, "people", filters=filters) == len(expected)

    @pytest.mark.asyncio
    async def test_ordering_puts_missing_values_last_and_paginates(self, store: Storage) -> None:
        projections, name = await self._seeded(store)

        async def names(**kwargs: Any) -> list[str]:
            return [d["name"] for d in await projections.query(name, "people", **kwargs)]

        assert await names(order_by="age") == ["bob", "ada", "cy", "dee"]
        assert await names(order_by="age", descending=True) == ["cy", "ada", "bob", "dee"]
        assert await names(order_by="joined") == ["dee", "bob", "ada", "cy"]
        assert await names(order_by="age", limit=2, offset=1) == ["ada", "cy"]
        assert await names() == ["ada", "bob", "cy", "dee"]
        assert await names(offset=4) == []

    @pytest.mark.asyncio
    async def test_parked_events_are_listed_and_can_be_unparked(self, store: Storage) -> None:
        projections, name = await self._seeded(store)
        await projections.commit(
            ProjectionCommit(
                name, 1, 10, 12, parked=(_letter(name, 1, "e-2", 12), _letter(name, 1, "e-1", 11))
            )
        )
        letters = await projections.dead_letters(name)
        assert [d.event_id for d in letters] == ["e-1", "e-2"]
        assert letters[0].error == "ValueError: boom"
        assert letters[0].attempts == 3
        await projections.commit(ProjectionCommit(name, 1, 12, 12, unparked=("e-1",)))
        assert [d.event_id for d in await projections.dead_letters(name)] == ["e-2"]
        assert [d.event_id for d in await projections.dead_letters()] == ["e-2"]

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "bad",
        [
            {"filters": [Filter("a;drop", "=", 1)]},
            {"filters": [Filter("a", "like", 1)]},
            {"filters": [Filter("a", "in", "abc")]},
            {"order_by": "a b"},
        ],
    )
    async def test_malformed_queries_raise_invalid_argument(
        self, store: Storage, bad: dict[str, Any]
    ) -> None:
        projections, name = await self._seeded(store)
        with pytest.raises(InvalidArgument):
            await projections.query(name, "people", **bad)

    @pytest.mark.asyncio
    async def test_projection_names_are_checked(self, store: Storage) -> None:
        with pytest.raises(InvalidArgument):
            await store.projections.start_generation("bad name; drop")

    @pytest.mark.asyncio
    async def test_large_positions_round_trip(self, store: Storage) -> None:
        projections = store.projections
        name = _name()
        await projections.start_generation(name)
        big = min((2**63) * 5 + 17, self.max_position)  # PostgreSQL positions exceed 64 bits
        await projections.commit(ProjectionCommit(name, 1, 0, big))
        assert (await projections.checkpoints(name))[0].position == big

    @pytest.mark.asyncio
    async def test_documents_round_trip_exactly(self, store: Storage) -> None:
        projections = store.projections
        name = _name()
        checkpoint = await projections.start_generation(name)
        odd: dict[str, Any] = {
            "text": 'ünï "quoted" \n\t\\ 🚀',
            "numbers": [1.5e-07, -0.0, 3.0, 12345678901234567890, -7],
            "nested": {"empty": {}, "list": [None, True, False, []]},
        }
        changes = (
            ReadModelChange("things", "odd", odd),
            ReadModelChange("things", "empty", {}),
            ReadModelChange("things", 'key with "quotes" and ünï', {"n": 1}),
        )
        await projections.commit(ProjectionCommit(name, checkpoint.generation, 0, 1, changes))
        for change in changes:
            got = await projections.get_doc(name, checkpoint.generation, "things", change.key)
            assert got == change.doc

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "bad",
        [
            {"when": datetime(2026, 1, 1, tzinfo=UTC)},
            {"score": float("nan")},
            {"tags": {"a", "b"}},
        ],
        ids=["datetime", "nan", "set"],
    )
    async def test_a_document_that_is_not_json_is_refused_and_nothing_written(
        self, store: Storage, bad: dict[str, Any]
    ) -> None:
        projections, name = await self._seeded(store)
        changes = (
            ReadModelChange("people", "eve", {"name": "eve"}),
            ReadModelChange("people", "fay", bad),
        )
        with pytest.raises(InvalidArgument, match=r"'fay'.*'people'.*not JSON"):
            await projections.commit(ProjectionCommit(name, 1, 10, 20, changes))
        assert await projections.get_doc(name, 1, "people", "eve") is None
        assert (await projections.checkpoints(name))[0].position == 10

    @pytest.mark.asyncio
    async def test_returned_documents_are_copies(self, store: Storage) -> None:
        projections, name = await self._seeded(store)
        doc = await projections.get_doc(name, 1, "people", "ada")
        assert doc is not None
        cast(dict[str, Any], doc)["age"] = 0
        [listed] = await projections.query(name, "people", filters=[Filter("name", "=", "ada")])
        cast(dict[str, Any], listed)["team"] = "changed"
        assert await projections.get_doc(name, 1, "people", "ada") == _PEOPLE[0]
