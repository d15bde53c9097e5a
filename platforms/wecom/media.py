"""WeCom temporary media: three-day uploads referenced by media_id in app messages."""

from __future__ import annotations

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})


class Media:
    """``/cgi-bin/media/upload``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> str:
        """Upload ``content`` as temporary media of ``kind``; returns the media_id."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {sorted(MEDIA_KINDS)}, not {kind!r}")
        body = self._transport.request(
            "POST",
            "/cgi-bin/media/upload",
            params={"type": kind},
            files={"media": (filename, content, content_type)},
            token=self._token,
        )
        if not body.get("media_id"):
            raise PermanentError("wecom", None, "media upload answered without a media_id")
        return str(body["media_id"])
