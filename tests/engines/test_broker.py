"""The Redis broker's supervised listener, against a Redis of the test's own that it restarts."""

import time

import pytest

from aurion.engines.broker import InProcessBroker, RedisBroker
from tests.support.redis_server import private_redis as private_redis_server


@pytest.fixture
def private_redis():
    with private_redis_server() as server:
        yield server


@pytest.fixture
def broker(private_redis):
    broker = RedisBroker(private_redis.url)
    yield broker
    broker.close()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_lost_connection_drops_subscribers_then_the_listener_resubscribes(broker, private_redis):
    assert broker.ready()
    before = broker.subscribe("conv_a")
    broker.publish("conv_a", {"type": "ping"})
    assert before.get(timeout=5) == {"type": "ping"}

    private_redis.restart(down_seconds=0.5)

    # The subscriber is told it may have missed frames, rather than left waiting.
    assert before.get(timeout=5) is None and before.dropped
    wait_for(broker.ready)
    assert broker.reconnects == 1
    after = broker.subscribe("conv_a")
    broker.publish("conv_a", {"type": "typing"})
    assert after.get(timeout=5) == {"type": "typing"}


def test_publishing_while_redis_is_down_is_counted_not_raised(broker, private_redis):
    assert broker.ready()
    before = broker.subscribe("conv_a")
    private_redis.stop()
    wait_for(lambda: before.dropped)
    broker.publish("conv_a", {"type": "message"})
    broker.revoke_widget_sessions("wgt_gone")
    assert broker.undelivered == 2
    # Subscribing meanwhile gives a dropped subscription: its socket starts over.
    assert broker.subscribe("conv_a").dropped


def test_revocations_reach_every_broker(private_redis):
    first, second = RedisBroker(private_redis.url), RedisBroker(private_redis.url)
    heard = []
    try:
        second.on_revocation(heard.append)
        assert second.ready()
        first.revoke_widget_sessions("wgt_old")
        wait_for(lambda: heard == ["wgt_old"])
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("kind", ["in-process", "redis"])
def test_one_subscription_hears_several_channels_until_closed(kind, request):
    """The dashboard's conversation stream reads the conversation's and the team's channels at once."""
    broker = InProcessBroker() if kind == "in-process" else request.getfixturevalue("broker")
    assert broker.ready()
    both = broker.subscribe("conv_a", "team:conv_a")
    broker.publish("conv_a", {"type": "message"})
    broker.publish("team:conv_a", {"type": "note"})
    broker.publish("conv_b", {"type": "message", "other": True})
    assert [both.get(timeout=5), both.get(timeout=5)] == [{"type": "message"}, {"type": "note"}]
    assert both.get(timeout=0.3) is None
    both.close()
    broker.publish("team:conv_a", {"type": "note"})
    assert [both.get(timeout=0.3), both.get(timeout=0.3)] == [None, None]  # the wake-up, then nothing
    # Closing unsubscribed it from both channels.
    assert "conv_a" not in broker._subscribers and "team:conv_a" not in broker._subscribers


def test_servers_on_other_databases_of_one_redis_never_hear_each_other(private_redis):
    """Redis pub/sub ignores the database number; two installs sharing a Redis must not cross-talk."""
    zero, one = RedisBroker(private_redis.url), RedisBroker(private_redis.url.removesuffix("/0") + "/1")
    revoked = []
    try:
        assert zero.ready() and one.ready()
        one.on_revocation(revoked.append)
        heard, other = zero.subscribe("inbox:1"), one.subscribe("inbox:1")
        zero.publish("inbox:1", {"type": "inbox"})
        zero.revoke_widget_sessions("wgt_zero")
        assert heard.get(timeout=5) == {"type": "inbox"}
        assert other.get(timeout=0.5) is None and revoked == []
    finally:
        zero.close()
        one.close()
