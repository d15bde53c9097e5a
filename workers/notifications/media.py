"""Turning a message's media references (``{"media": {"blobId": ...}}``) into what the platform takes.

Called right before the send, so every attempt gets fresh ids:

* DingTalk: upload now, every time. A DingTalk media_id works in one message only, so an id is never kept.
* WeCom (app and robot): ids live three days and may be reused, so one upload per file (and per robot, for a
  robot's own uploads) is kept in Redis for a day; a retry does not upload again.
* WeCom robot images go inline: base64 of the bytes and their MD5.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import redis

from models import Database
from models.blobs import Blob
from platforms.errors import PermanentError

#: WeCom media ids live three days; ours are reused for one.
WECOM_MEDIA_TTL_SECONDS = 86400

#: msgtype -> the platforms' media kind for its upload.
MEDIA_KIND = {"image": "image", "voice": "voice", "video": "video", "file": "file", "mpnews": "image"}

Uploader = Callable[[str, str, bytes, str], str]


class MediaResolver:
    """Loads blobs and uploads them the way each channel needs.

    :param database: where the bytes are kept.
    :param redis_client: where reusable WeCom media ids are remembered.
    """

    def __init__(self, database: Database, redis_client: redis.Redis) -> None:
        self.database = database
        self.redis = redis_client

    def load(self, ref: dict[str, Any]) -> tuple[bytes, str, str]:
        """``(content, filename, content_type)`` of a reference; PermanentError if the blob is gone."""
        with self.database.session() as session:
            blob = session.get(Blob, ref["blobId"])
            if blob is None:
                raise PermanentError("imbridge", None, f"stored upload {ref['blobId']} no longer exists")
            content = blob.content
        return content, ref.get("filename") or "file", ref.get("contentType") or "application/octet-stream"

    def with_media_ids(self, message: dict[str, Any], upload: Uploader, cache_scope: str | None,
                       thumb_kind: str | None = None) -> dict[str, Any]:
        """A copy of ``message`` where every ``media``/``thumb_media`` reference became a ``*media_id``.

        :param upload: ``(kind, filename, content, content_type) -> media_id``.
        :param cache_scope: where a reusable id may be remembered (None: never, as for DingTalk).
        :param thumb_kind: the kind a ``thumb_media`` is uploaded as (WeChat's ``thumb``); None: the message's.
        """
        message_kind = MEDIA_KIND.get(message.get("msgtype", ""), "file")

        def resolve(ref: dict[str, Any], thumb: bool) -> str:
            kind = thumb_kind if thumb and thumb_kind else message_kind
            cache_key = f"imbridge:notify:media:{cache_scope}:{kind}:{ref['blobId']}" if cache_scope else None
            if cache_key:
                cached = self.redis.get(cache_key)
                if cached:
                    return cached.decode() if isinstance(cached, bytes) else str(cached)
            content, filename, content_type = self.load(ref)
            media_id = upload(kind, filename, content, content_type)
            if cache_key:
                self.redis.set(cache_key, media_id, ex=WECOM_MEDIA_TTL_SECONDS)
            return media_id

        return _replace(message, resolve)

    def inline_image(self, message: dict[str, Any]) -> dict[str, Any]:
        """A WeCom robot image message with its bytes inline (base64 + md5)."""
        content, _, _ = self.load(message["image"]["media"])
        image = {"base64": base64.b64encode(content).decode(), "md5": hashlib.md5(content).hexdigest()}
        return {**message, "image": image}


def _replace(value: Any, resolve: Callable[[dict[str, Any], bool], str]) -> Any:
    if isinstance(value, list):
        return [_replace(item, resolve) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if key == "media" and isinstance(item, dict) and "blobId" in item:
            result["media_id"] = resolve(item, False)
        elif key == "thumb_media" and isinstance(item, dict) and "blobId" in item:
            result["thumb_media_id"] = resolve(item, True)
        else:
            result[key] = _replace(item, resolve)
    return result


def has_media(message: dict[str, Any]) -> bool:
    """Whether a message holds any blob reference (so sending it needs uploads)."""
    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            return "blobId" in value or any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(message)
