"""WeCom group robots: webhooks keyed by a secret ``key``, no access token.

A robot takes about 20 messages a minute; beyond that it answers 45009 (retry after a minute).
93000 means the key is wrong or the robot was removed. The key is a credential: do not log URLs.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from platforms.client import PlatformClient
from platforms.media import upload_media
from platforms.wecom.client import DEFAULT_BASE_URL

#: What a robot's own upload takes: ``file`` for file messages, ``voice`` (amr) for voice messages.
ROBOT_MEDIA_KINDS = frozenset({"file", "voice"})


class WeComRobot(PlatformClient):
    """Send to group robots.

    :param api_base_url: the WeCom API base (the sandbox's ``.../wecom`` in tests); see :class:`PlatformClient`.

    Example::

        WeComRobot(base).send(key, {"msgtype": "text", "text": {"content": "deploy done"}})
    """

    platform = "wecom"
    default_base_url = DEFAULT_BASE_URL

    def send(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Post ``body`` (``msgtype`` plus its content) to the robot ``key``."""
        return self.transport.request("POST", "/cgi-bin/webhook/send", params={"key": key}, json=body)

    def upload_media(self, key: str, filename: str, content: bytes, kind: str = "file",
                     content_type: str = "application/octet-stream") -> str:
        """Upload a file for a ``file`` (or ``voice``: amr) message; returns the media_id (valid three days)."""
        return upload_media(self.transport, None, "/cgi-bin/webhook/upload_media", kinds=ROBOT_MEDIA_KINDS,
                            kind=kind, filename=filename, content=content, content_type=content_type,
                            params={"key": key})


def image_message(content: bytes) -> dict[str, Any]:
    """A robot ``image`` body: the picture inline as base64, with the md5 of the raw bytes."""
    return {
        "msgtype": "image",
        "image": {"base64": base64.b64encode(content).decode(), "md5": hashlib.md5(content).hexdigest()},
    }
