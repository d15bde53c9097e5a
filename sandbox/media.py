"""Uploaded temporary media, for all three platforms.

Only what the platforms check is kept (type, size, md5, owner, expiry, uses), never the bytes: a benchmark
uploading thousands of files must not grow the sandbox by their size. Ids look like the real ones, including
the DingTalk ``@`` that bites anyone who forgets to URL-encode a media_id.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from sandbox.call import UploadedFile


@dataclass
class MediaItem:
    media_id: str
    platform: str
    #: Who may use it: ``app`` for app APIs, ``robot:<key>`` for a WeCom robot's own upload.
    owner: str
    type: str
    filename: str | None
    size: int
    md5: str
    created_at: float
    expires_at: float
    uses: int = 0

    def describe(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _media_id(platform: str) -> str:
    if platform == "dingtalk":
        return "@lAD" + base64.urlsafe_b64encode(secrets.token_bytes(18)).decode().rstrip("=")
    if platform == "wecom":
        return "3" + base64.urlsafe_b64encode(secrets.token_bytes(36)).decode().rstrip("=")
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")


class MediaStore:
    """Media by id. Callers hold the state lock."""

    def __init__(self) -> None:
        self._items: dict[str, MediaItem] = {}

    def add(self, platform: str, owner: str, media_type: str, upload: UploadedFile,
            now: float, lifetime: float) -> MediaItem:
        item = MediaItem(_media_id(platform), platform, owner, media_type, upload.filename, upload.size,
                         upload.md5, now, now + lifetime)
        self._items[item.media_id] = item
        return item

    def find(self, platform: str, media_id: Any, now: float, owner: str | None = None) -> MediaItem | None:
        """The live item, or None when unknown, expired, foreign or of another owner."""
        item = self._items.get(media_id) if isinstance(media_id, str) else None
        if item is None or item.platform != platform or item.expires_at <= now:
            return None
        if owner is not None and item.owner != owner:
            return None
        return item

    def all(self, platform: str | None = None) -> list[MediaItem]:
        return [i for i in self._items.values() if platform is None or i.platform == platform]

    def prune(self, now: float) -> None:
        for media_id in [k for k, v in self._items.items() if v.expires_at <= now]:
            del self._items[media_id]
