"""The lease repository: one atomic claim, expiry, renewal, hand-back (bot.storage.leases),
on SQLite and on PostgreSQL (``store_at``: see conftest.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.storage import open_store
from tests.conftest import T0

LEASE = timedelta(seconds=30)
NAME = "occurrence:1"


async def test_claim_renew_expire_and_release(store_at: Path | str) -> None:
    store = await open_store(store_at)
    try:
        # Nobody holds it: only a claim that may create it gets it.
        assert not await store.claim_lease(NAME, "b", T0, T0 + LEASE, home=False, create=False)
        assert await store.lease(NAME) is None
        assert await store.claim_lease(NAME, "a", T0, T0 + LEASE, home=True, create=True)
        held = await store.lease(NAME)
        assert held is not None
        assert (held.owner, held.home, held.expires_at, held.claimed_at) == (
            "a",
            True,
            T0 + LEASE,
            T0,
        )
        # Held and not expired: nobody else gets it, with or without create.
        later = T0 + LEASE - timedelta(microseconds=1)
        for create in (False, True):
            assert not await store.claim_lease(
                NAME, "b", later, later + LEASE, home=False, create=create
            )
        # The owner renews it (claim again, or the heartbeat for all of its leases).
        assert await store.claim_lease(NAME, "a", later, later + LEASE, home=True, create=False)
        assert await store.renew_leases("a", T0 + 3 * LEASE) == 1
        assert await store.renew_leases("b", T0 + 9 * LEASE) == 0
        renewed = await store.lease(NAME)
        assert renewed is not None
        assert (renewed.expires_at, renewed.claimed_at) == (T0 + 3 * LEASE, T0)
        # Expired: another process takes it over, as the new owner.
        expired = T0 + 3 * LEASE
        assert await store.claim_lease(
            NAME, "b", expired, expired + LEASE, home=False, create=False
        )
        taken = await store.lease(NAME)
        assert taken is not None
        assert (taken.owner, taken.home, taken.claimed_at) == ("b", False, expired)
        # Releasing needs the owner.
        await store.release_lease(NAME, "a")
        assert await store.lease(NAME) is not None
        await store.release_lease(NAME, "b")
        assert await store.leases() == []
    finally:
        await store.close()


async def test_a_home_asks_for_its_lease_back(store_at: Path | str) -> None:
    store = await open_store(store_at)
    try:
        assert await store.claim_lease(NAME, "sub", T0, T0 + LEASE, home=False, create=True)
        await store.want_lease(NAME, "sub")  # the owner never wants its own lease
        lease = await store.lease(NAME)
        assert lease is not None
        assert lease.wanted_by is None
        await store.want_lease(NAME, "home")
        lease = await store.lease(NAME)
        assert lease is not None
        assert lease.wanted_by == "home"
        # Renewing keeps the request; a new owner starts without one.
        assert await store.claim_lease(NAME, "sub", T0, T0 + LEASE, home=False, create=False)
        lease = await store.lease(NAME)
        assert lease is not None
        assert lease.wanted_by == "home"
        await store.release_lease(NAME, "sub")
        assert await store.claim_lease(NAME, "home", T0, T0 + LEASE, home=True, create=True)
        assert [(x.owner, x.wanted_by) for x in await store.leases()] == [("home", None)]
    finally:
        await store.close()


async def test_two_processes_claiming_at_once_never_both_win(store_at: Path | str) -> None:
    """Two stores over one database (two processes): of simultaneous claims of a free or an
    expired lease exactly one succeeds."""
    first, second = await open_store(store_at), await open_store(store_at)
    try:
        for round_number in range(20):
            name = f"occurrence:{round_number}"
            if round_number % 2:  # an expired lease of a dead process
                assert await first.claim_lease(name, "dead", T0, T0, home=True, create=True)
            now = T0 + timedelta(seconds=1)
            results = await asyncio.gather(
                first.claim_lease(name, "a", now, now + LEASE, home=False, create=True),
                second.claim_lease(name, "b", now, now + LEASE, home=False, create=True),
            )
            assert sorted(results) == [False, True], (round_number, results)
            lease = await first.lease(name)
            assert lease is not None
            assert lease.owner == ("a" if results[0] else "b")
    finally:
        await first.close()
        await second.close()
