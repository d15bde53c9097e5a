"""DingTalk media uploads.

**Treat a media_id as usable once.** Operators report that a second message with the same id fails,
though the docs say otherwise: keep the bytes and upload right before each send that needs them.
"""

from __future__ import annotations

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})


class Media:
    """``/media/upload``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> str:
        """Upload ``content`` as ``kind`` and return a media_id for the very next send."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {sorted(MEDIA_KINDS)}, not {kind!r}")
        body = self._transport.request(
            "POST",
            "/media/upload",
            params={"type": kind},
            files={"media": (filename, content, content_type)},
            token=self._token,
        )
        if not body.get("media_id"):
            raise PermanentError("dingtalk", None, "media upload answered without a media_id")
        return str(body["media_id"])
