"""Parametric QR codes: the scene comes back in the subscribe/SCAN event of whoever scans it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

#: Temporary codes live at most 30 days.
MAX_EXPIRE_SECONDS = 2592000
MAX_SCENE_LENGTH = 64
#: Where the platform serves the code's image.
SHOWQRCODE_URL = "https://mp.weixin.qq.com/cgi-bin/showqrcode"


class QRCodes:
    """``/cgi-bin/qrcode/create``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def create_temporary(self, scene_str: str, expire_seconds: int) -> dict[str, Any]:
        """A temporary string-scene code: ``{ticket, expire_seconds, url}``.

        ``url`` is what the code encodes; :func:`qrcode_image_url` gives a picture of it.
        """
        if not 1 <= len(scene_str) <= MAX_SCENE_LENGTH:
            raise ValueError(f"scene_str must be 1..{MAX_SCENE_LENGTH} characters")
        if not 1 <= expire_seconds <= MAX_EXPIRE_SECONDS:
            raise ValueError(f"expire_seconds must be 1..{MAX_EXPIRE_SECONDS}")
        body = self._transport.request(
            "POST",
            "/cgi-bin/qrcode/create",
            json={
                "expire_seconds": expire_seconds,
                "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene_str}},
            },
            token=self._token,
            success=("ticket",),
        )
        if not body.get("ticket"):
            raise PermanentError("wechat", None, "qrcode/create answered without a ticket")
        return {"ticket": body["ticket"], "expire_seconds": body.get("expire_seconds"), "url": body.get("url")}


def qrcode_image_url(ticket: str, base_url: str = SHOWQRCODE_URL) -> str:
    """The image URL for ``ticket`` (URL-encoded, as the platform requires)."""
    return f"{base_url}?ticket={quote(ticket, safe='')}"
