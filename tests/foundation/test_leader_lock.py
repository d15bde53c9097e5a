"""The scheduler's leader lock: one holder at a time, and a stalled leader cannot touch its successor's lock."""

from __future__ import annotations

from scheduler.leader import LeaderLock


def test_one_leader_at_a_time_and_the_key_names_it(redis_client):
    first, second = LeaderLock(redis_client, key="test:leader"), LeaderLock(redis_client, key="test:leader")
    assert first.acquire() and not second.acquire()
    assert redis_client.get("test:leader").decode() == first.owner  # the heartbeat names the same owner
    assert first.renew() and not second.renew()
    first.release()
    assert second.acquire()


def test_a_leader_that_stalled_past_its_ttl_cannot_renew_or_release_its_successors_lock(redis_client):
    stalled = LeaderLock(redis_client, key="test:leader", ttl_seconds=10)
    successor = LeaderLock(redis_client, key="test:leader", ttl_seconds=10)
    assert stalled.acquire()
    redis_client.delete("test:leader")  # its TTL ran out while it stalled
    assert successor.acquire()
    assert not stalled.renew()
    stalled.release()
    assert redis_client.get("test:leader").decode() == successor.owner
    assert redis_client.pttl("test:leader") > 9_000


def test_a_lock_never_held_neither_renews_nor_fails_to_release(redis_client):
    lock = LeaderLock(redis_client, key="test:leader")
    assert not lock.renew()
    lock.release()
    assert redis_client.get("test:leader") is None
