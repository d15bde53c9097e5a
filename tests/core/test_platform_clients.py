"""The platform clients a process builds from its settings: how long they wait on a platform."""

from __future__ import annotations

import pytest

from config import load_settings
from core.clients import PlatformClients
from platforms.errors import PlatformUnreachable
from platforms.transport import DEFAULT_TIMEOUT

#: The sandbox holds a call this long, then answers 504: well past the configured timeout, well within the default
#: one (so a client that ignored the setting would see the 504, not a timeout).
HOLD_SECONDS = 3


def test_by_default_the_clients_wait_as_the_platform_package_does(redis_client):
    clients = PlatformClients(load_settings(None), redis_client)
    assert clients.timeout == DEFAULT_TIMEOUT
    clients.close()


@pytest.mark.parametrize("robot", ["dingtalk_robot", "wecom_robot"])
def test_a_call_held_past_the_configured_timeout_fails_as_unreachable(sandbox, control, redis_client, robot):
    settings = load_settings(None, sandbox=sandbox.section,
                             platform_calls={"timeout_seconds": 0.2, "connect_timeout_seconds": 0.2})
    control.post("/faults", json={"pattern": "/*", "kind": "timeout", "hold_seconds": HOLD_SECONDS}).raise_for_status()
    clients = PlatformClients(settings, redis_client)
    try:
        with pytest.raises(PlatformUnreachable, match="timed out"):
            getattr(clients, robot).send("any-robot", {"msgtype": "text", "text": {"content": "hi"}})
    finally:
        control.delete("/faults")
        clients.close()
