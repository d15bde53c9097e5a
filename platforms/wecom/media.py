"""WeCom temporary media: three-day uploads referenced by media_id in app messages."""

from __future__ import annotations

from platforms._upload import upload_media
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
        return upload_media(self._transport, self._token, "/cgi-bin/media/upload", kinds=MEDIA_KINDS, kind=kind,
                            filename=filename, content=content, content_type=content_type)
