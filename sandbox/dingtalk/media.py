"""DingTalk ``/media/upload`` and the rule operators learned the hard way: a media_id works in ONE message.

The docs say otherwise, but a second message with the same id fails with the invalid-media answer (40007), so
the sandbox enforces it (``dingtalk_media_single_use``, on by default). Ids start with ``@``, like real ones.
"""

from __future__ import annotations

from typing import Any

from sandbox.call import Call
from sandbox.dingtalk.tokens import require_token
from sandbox.errors import ErrcodeAnswer
from sandbox.media import MediaItem
from sandbox.state import SandboxState
from sandbox.uploads import MB, UploadErrors, checked_upload, rules

ALLOWED = rules(image=("jpg jpeg gif png bmp", 20 * MB), voice=("amr mp3 wav", 2 * MB),
                video=("mp4", 20 * MB), file=("doc docx xls xlsx ppt pptx zip pdf rar", 20 * MB))
ERRORS = UploadErrors(bad_type=(40004, "不合法的媒体文件类型"), missing=(41005, "缺少多媒体文件数据"),
                      bad_extension=(40005, "不合法的文件类型"), bad_size=(40006, "不合法的文件大小"))
INVALID_MEDIA = (40007, "不合法的媒体文件id")


def upload(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    media_type = call.param("type")
    file = checked_upload(call, media_type, ALLOWED, ERRORS)
    item = state.media.add("dingtalk", "app", str(media_type), file, state.now(),
                           state.options.media_lifetime_seconds)
    return {"errcode": 0, "errmsg": "ok", "media_id": item.media_id, "created_at": int(item.created_at * 1000),
            "type": media_type}


def usable_media(state: SandboxState, media_id: Any) -> MediaItem:
    """The media for a message about to be sent, or 40007 (unknown, expired, or already used once)."""
    item = state.media.find("dingtalk", media_id, state.now())
    if item is None or (state.options.dingtalk_media_single_use and item.uses > 0):
        raise ErrcodeAnswer(*INVALID_MEDIA)
    return item
