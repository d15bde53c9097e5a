"""DingTalk media uploads.

**Treat a media_id as usable once.** Operators report that a second message with the same id fails,
though the docs say otherwise: keep the bytes and upload right before each send that needs them.
"""

from __future__ import annotations

from platforms._upload import upload_media
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
        return upload_media(self._transport, self._token, "/media/upload", kinds=MEDIA_KINDS, kind=kind,
                            filename=filename, content=content, content_type=content_type)
