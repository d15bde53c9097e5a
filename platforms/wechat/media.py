"""Temporary media: uploads that live three days, referenced by media_id in messages."""

from __future__ import annotations

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

MEDIA_KINDS = frozenset({"image", "voice", "video", "thumb"})


class Media:
    """``/cgi-bin/media/upload``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def upload(self, kind: str, filename: str, content: bytes, content_type: str) -> str:
        """Upload ``content`` as temporary media of ``kind`` and return its media_id.

        A ``thumb`` upload is answered with ``thumb_media_id``; it is returned the same way.
        """
        if kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {sorted(MEDIA_KINDS)}, not {kind!r}")
        body = self._transport.request(
            "POST",
            "/cgi-bin/media/upload",
            params={"type": kind},
            files={"media": (filename, content, content_type)},
            token=self._token,
        )
        media_id = body.get("media_id") or body.get("thumb_media_id")
        if not media_id:
            raise PermanentError("wechat", None, "media upload answered without a media_id")
        return str(media_id)
