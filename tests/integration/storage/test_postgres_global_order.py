"""PostgreSQL global order: interleavings that break a plain sequence cannot skip events.

These tests hold a transaction open on a raw connection (as a slow writer would) and check
that read_all neither returns a later commit before it nor skips it afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from docsense.adapters.storage import open_storage
from docsense.adapters.storage._chain import recorded_digest
from docsense.adapters.storage._common import dumps
from docsense.adapters.storage.postgres import decode_position
from docsense.ports import NewEvent, Storage
from docsense.testing import new_event

pytestmark = pytest.mark.postgres


@pytest_asyncio.fixture
async def store(postgres_schema_url: str) -> AsyncIterator[Storage]:
    s = await open_storage(postgres_schema_url)
    yield s
    await s.close()


@pytest_asyncio.fixture
async def raw(postgres_schema_url: str, store: Storage) -> AsyncIterator[Any]:
    dsn, _, schema = postgres_schema_url.partition("?schema=")
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    yield conn
    await conn.close()


async def _append_raw(conn: Any, stream: str, event: NewEvent) -> None:
    await conn.fetch(
        "SELECT * FROM ds_append($1, 0, $2, $3, $4, $5, $6, $7, $8)",
        stream,
        [event.event_id],
        [event.event_type],
        [event.schema_version],
        [event.occurred_at],
        [dumps(event.payload)],
        [dumps(event.metadata)],
        [
            recorded_digest(
                stream, 1, event.event_type, event.schema_version, event.event_id,
                event.payload, event.metadata,
            )
        ],
    )


async def test_an_open_older_transaction_holds_back_later_commits(store: Storage, raw: Any) -> None:
    start = await store.head()
    slow, fast = new_event(1), new_event(2)
    tx = raw.transaction()
    await tx.start()
    await _append_raw(raw, "thing-slow", slow)  # takes the lower xid and the lower seq
    await store.append("thing-fast", [fast], 0)  # commits first

    during = await store.read_all(start)
    assert [r.event_id for r in during] == [], "a commit behind an open transaction leaked"

    await tx.commit()
    after = await store.read_all(start)
    assert [r.event_id for r in after] == [slow.event_id, fast.event_id]
    assert after[0].position < after[1].position


async def test_older_transaction_with_higher_sequence_is_ordered_first_and_not_skipped(
    store: Storage, raw: Any
) -> None:
    """The case a sequence-plus-fence design gets wrong: lower xid, higher seq, late commit."""
    start = await store.head()
    tx = raw.transaction()
    await tx.start()
    await raw.fetchval("SELECT pg_current_xact_id()")  # the slow writer's xid is now the lowest
    early = new_event(1)
    await store.append("thing-early", [early], 0)  # lower seq, higher xid, commits first
    slow = new_event(2)
    await _append_raw(raw, "thing-slow", slow)  # higher seq, lower xid

    reader_saw = await store.read_all(start)
    assert reader_saw == []
    await tx.commit()

    final = await store.read_all(start)
    assert [r.event_id for r in final] == [slow.event_id, early.event_id]
    (slow_tx, slow_seq), (early_tx, early_seq) = (decode_position(r.position) for r in final)
    assert slow_tx < early_tx  # the interleaving really happened:
    assert slow_seq > early_seq  # lower xid, higher sequence value


async def test_a_reader_that_caught_up_never_receives_an_older_position(
    store: Storage, raw: Any
) -> None:
    await store.append("thing-a", [new_event(1)], 0)
    caught_up = await store.head()
    tx = raw.transaction()
    await tx.start()
    late = new_event(2)
    await _append_raw(raw, "thing-late", late)
    await store.append("thing-b", [new_event(3)], 0)
    assert await store.read_all(caught_up) == []
    await tx.commit()
    tail = await store.read_all(caught_up)
    assert late.event_id in [r.event_id for r in tail]
    assert all(r.position > caught_up for r in tail)
    assert await store.head() == tail[-1].position


async def test_positions_order_numerically_when_transaction_ids_cross_a_power_of_ten(
    store: Storage, raw: Any
) -> None:
    """Transaction ids 999, 1000, 1001 must come back in that order, in pages of two.

    Ordering by the text form would put "1000" before "999": a reader would then skip 999 or
    receive events twice. The rows are planted with chosen (old, hence visible) tx ids: the
    largest power of ten whose neighbours are all older than every running transaction (a
    new server's transaction ids may not have reached 1001 yet).
    """
    horizon = int(await raw.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
    while horizon <= 11:  # burn transaction ids until 9, 10, 11 are in the past
        horizon = int(await raw.fetchval("SELECT pg_current_xact_id()::text")) - 1
    power = 10 ** (len(str(horizon - 2)) - 1)
    planted = []
    for tx_id in (power + 1, power - 1, power):
        event = new_event(tx_id)
        await raw.execute(
            "INSERT INTO ds_events (tx_id, event_id, event_type, schema_version, stream_id, "
            "stream_version, occurred_at, payload, metadata) "
            "VALUES ($1::text::xid8, $2, $3, 1, $4, 1, $5, '{}', '{}')",
            str(tx_id),
            event.event_id,
            event.event_type,
            f"thing-{tx_id}",
            event.occurred_at,
        )
        planted.append((tx_id, event.event_id))
    seen = []
    after = 0
    while page := await store.read_all(after, limit=2):
        seen.extend(page)
        after = page[-1].position
    assert [decode_position(r.position)[0] for r in seen] == [power - 1, power, power + 1]
    assert len({r.event_id for r in seen}) == 3
    assert decode_position(await store.head())[0] == power + 1


async def test_an_unrelated_open_transaction_does_not_hold_back_read_all(
    store: Storage, raw: Any
) -> None:
    """A long transaction that is not appending (another application's) costs no latency."""
    start = await store.head()
    tx = raw.transaction()
    await tx.start()
    await raw.execute("CREATE TEMP TABLE unrelated (x int)")
    await raw.execute("INSERT INTO unrelated VALUES (1)")  # holds a transaction id, open
    event = new_event(1)
    await store.append("thing-now", [event], 0)
    try:
        assert [r.event_id for r in await store.read_all(start)] == [event.event_id]
    finally:
        await tx.rollback()
