"""Temporary media (3 days) and permanent material.

Quirks kept on purpose: a temporary ``thumb`` answers ``thumb_media_id`` instead of ``media_id``; ``created_at``
is a number here (WeCom sends a string); a permanent video needs a ``description`` form part with a title and an
introduction; only image material has a ``url``; get_materialcount has no errcode at all.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import secrets
from typing import Any

from sandbox.call import Call
from sandbox.endpoint import Answer
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.uploads import MB, UploadErrors, checked_upload, rules
from sandbox.wechat.store import Material
from sandbox.wechat.tokens import require_token

TEMPORARY = rules(image=("jpg jpeg png gif bmp", 10 * MB), voice=("amr mp3", 2 * MB),
                  video=("mp4", 10 * MB), thumb=("jpg jpeg", 64 * 1024))
PERMANENT = rules(image=("jpg jpeg png gif bmp", 10 * MB), voice=("mp3 wma wav amr", 2 * MB),
                  video=("mp4", 10 * MB), thumb=("jpg jpeg", 64 * 1024))
ERRORS = UploadErrors(bad_type=(40004, "invalid media type"), missing=(41005, "media data missing"),
                      bad_extension=(40005, "invalid file type"), bad_size=(40006, "invalid meida size"))


def upload(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    media_type = call.param("type")
    file = checked_upload(call, media_type, TEMPORARY, ERRORS)
    item = state.media.add("wechat", "app", str(media_type), file, state.now(),
                           state.options.media_lifetime_seconds)
    id_field = "thumb_media_id" if media_type == "thumb" else "media_id"
    return {"type": media_type, id_field: item.media_id, "created_at": int(item.created_at)}


def _description(call: Call) -> dict[str, Any]:
    try:
        description = json.loads(call.body.form.get("description") or "null")
    except ValueError:
        description = None
    if not (isinstance(description, dict) and description.get("title") and "introduction" in description):
        raise ErrcodeAnswer(40007, "invalid description: video material needs title and introduction")
    return description


def add_material(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    media_type = call.param("type")
    file = checked_upload(call, media_type, PERMANENT, ERRORS)
    description = _description(call) if media_type == "video" else None
    media_id = secrets.token_urlsafe(32)
    url = f"http://mmbiz.qpic.cn/mmbiz_jpg/{secrets.token_urlsafe(24)}/0?wx_fmt=jpeg"
    material = Material(media_id, str(media_type), file.filename or media_id, int(state.now()),
                        url if media_type == "image" else None, description, file.data,
                        _file_type(file.filename, file.content_type))
    state.wechat.materials[media_id] = material
    answer: dict[str, Any] = {"media_id": media_id}
    if material.url:
        answer["url"] = material.url
    return answer


def _file_type(filename: str | None, declared: str | None) -> str:
    if declared and declared not in ("application/octet-stream", "text/plain"):
        return declared
    return mimetypes.guess_type(filename or "")[0] or "application/octet-stream"


def get_material(state: SandboxState, call: Call) -> dict[str, Any] | Answer:
    """An image, voice or thumb is answered as the file itself; a video as ``{title, description, down_url}``;
    news as ``{news_item: [...]}``; an unknown id is 40007."""
    require_token(state, call)
    material = state.wechat.materials.get(call.json_object().get("media_id"))
    if material is None:
        raise ErrcodeAnswer(40007, "invalid media_id")
    if material.type == "news":
        return {"news_item": copy.deepcopy(material.news_item or [])}
    if material.type == "video":
        description = material.description or {}
        return {"title": description.get("title", ""), "description": description.get("introduction", ""),
                "down_url": f"http://mp.weixin.qq.com/mp/video/download?vid={material.media_id}"}
    return Answer(material.content or b"", material.content_type or "application/octet-stream")


def add_news_material(state: SandboxState, articles: list[dict[str, Any]]) -> str:
    """A news material as if made in the console (the sandbox's control API); its media_id."""
    media_id = secrets.token_urlsafe(32)
    state.wechat.materials[media_id] = Material(media_id, "news", articles[0].get("title", media_id) if articles
                                                else media_id, int(state.now()), news_item=copy.deepcopy(articles))
    return media_id


def del_material(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    media_id = call.json_object().get("media_id")
    if state.wechat.materials.pop(media_id, None) is None:
        raise ErrcodeAnswer(40007, "invalid media_id")
    return {"errcode": 0, "errmsg": "ok"}


def batchget_material(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    media_type, offset, count = body.get("type"), body.get("offset", 0), body.get("count")
    if media_type not in ("image", "voice", "video", "news"):
        raise ErrcodeAnswer(40004, "invalid media type")
    if not isinstance(offset, int) or offset < 0 or not isinstance(count, int) or not 1 <= count <= 20:
        raise ErrcodeAnswer(47001, "data format error")
    matching = sorted((m for m in state.wechat.materials.values() if m.type == media_type),
                      key=lambda m: m.update_time, reverse=True)
    page = matching[offset:offset + count]
    items = []
    for material in page:
        item: dict[str, Any] = {"media_id": material.media_id, "name": material.name,
                                "update_time": material.update_time}
        if material.url and media_type == "image":
            item["url"] = material.url
        items.append(item)
    return {"total_count": len(matching), "item_count": len(items), "item": items}


def get_materialcount(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    counts = {"voice_count": 0, "video_count": 0, "image_count": 0, "news_count": 0}
    for material in state.wechat.materials.values():
        key = f"{material.type}_count"
        if key in counts:
            counts[key] += 1
    return counts
