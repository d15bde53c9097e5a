"""DingTalk custom robots: a webhook per group, optionally signed.

About 20 messages a minute per robot; beyond that the robot is throttled for 10 minutes and answers
130101 (a :class:`~platforms.errors.RetryLaterError` with ``retry_after`` >= 60). 310000 means the
signature, keyword or IP rule rejected us: the errmsg says which.
"""

from __future__ import annotations

import time
from typing import Any

from platforms.client import PlatformClient
from platforms.dingtalk.client import DEFAULT_BASE_URL
from platforms.dingtalk.sign import robot_sign


class DingTalkRobot(PlatformClient):
    """Send to custom robots.

    :param api_base_url: the DingTalk API base (the sandbox's ``.../dingtalk`` in tests); see :class:`PlatformClient`.

    Example::

        DingTalkRobot(base).send(access_token, {"msgtype": "text", "text": {"content": "hi"}}, secret="SEC...")
    """

    platform = "dingtalk"
    default_base_url = DEFAULT_BASE_URL

    def send(self, access_token: str, body: dict[str, Any], secret: str | None = None) -> dict[str, Any]:
        """Post ``body`` to the robot; with ``secret`` (``SEC...``) add ``timestamp`` and ``sign``."""
        params: dict[str, Any] = {"access_token": access_token}
        if secret:
            timestamp_ms = int(time.time() * 1000)
            params["timestamp"] = timestamp_ms
            params["sign"] = robot_sign(secret, timestamp_ms)
        return self.transport.request("POST", "/robot/send", params=params, json=body)
