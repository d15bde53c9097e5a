"""Permanent material: media kept until deleted, counted against the account's quota."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Download, Transport

MATERIAL_KINDS = frozenset({"image", "voice", "video", "thumb"})
BATCHGET_KINDS = frozenset({"image", "voice", "video", "news"})
#: The platform's page size limit for ``batchget_material``.
MAX_BATCH = 20


@dataclass(frozen=True)
class FetchedMaterial:
    """What ``get_material`` answered: an image, voice or thumb's bytes (``content``, ``content_type``), or for a
    video ``{title, description, down_url}`` and for news ``{news_item: [...]}`` in ``info``."""

    content: bytes | None = None
    content_type: str | None = None
    info: dict[str, Any] = field(default_factory=dict)


class Material:
    """``/cgi-bin/material/*``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def add(
        self,
        kind: str,
        filename: str,
        content: bytes,
        content_type: str,
        title: str | None = None,
        introduction: str | None = None,
    ) -> dict[str, Any]:
        """Upload permanent material; returns ``{media_id, url?}`` (url for images).

        A video needs ``title`` and ``introduction``, sent as the ``description`` form part.
        """
        if kind not in MATERIAL_KINDS:
            raise ValueError(f"material kind must be one of {sorted(MATERIAL_KINDS)}, not {kind!r}")
        data = None
        if kind == "video":
            if not title:
                raise ValueError("a video needs a title")
            description = {"title": title, "introduction": introduction or ""}
            data = {"description": json.dumps(description, ensure_ascii=False)}
        body = self._transport.request(
            "POST",
            "/cgi-bin/material/add_material",
            params={"type": kind},
            data=data,
            files={"media": (filename, content, content_type)},
            token=self._token,
            success=("media_id",),
        )
        return {k: v for k, v in body.items() if k not in ("errcode", "errmsg")}

    def get(self, media_id: str) -> FetchedMaterial:
        """One permanent material (``get_material``): the file itself, or a video's link, or news articles."""
        if not media_id:
            raise ValueError("media_id is required")
        answer = self._transport.download("POST", "/cgi-bin/material/get_material", json={"media_id": media_id},
                                          token=self._token, success=("down_url", "news_item"))
        if isinstance(answer, Download):
            return FetchedMaterial(answer.content, answer.content_type)
        return FetchedMaterial(info={k: v for k, v in answer.items() if k not in ("errcode", "errmsg")})

    def delete(self, media_id: str) -> None:
        self._transport.request(
            "POST", "/cgi-bin/material/del_material", json={"media_id": media_id}, token=self._token
        )

    def batchget(self, kind: str, offset: int = 0, count: int = MAX_BATCH) -> dict[str, Any]:
        """One page of material: ``{total_count, item_count, item: [...]}``."""
        if kind not in BATCHGET_KINDS:
            raise ValueError(f"batchget kind must be one of {sorted(BATCHGET_KINDS)}, not {kind!r}")
        if not 1 <= count <= MAX_BATCH:
            raise ValueError(f"count must be 1..{MAX_BATCH}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        return self._transport.request(
            "POST",
            "/cgi-bin/material/batchget_material",
            json={"type": kind, "offset": offset, "count": count},
            token=self._token,
            success=("total_count", "item"),
        )

    def count(self) -> dict[str, Any]:
        """``{voice_count, video_count, image_count, news_count}``."""
        return self._transport.request("GET", "/cgi-bin/material/get_materialcount", token=self._token,
                                       success=("voice_count", "video_count", "image_count", "news_count"))
