"""WeCom temporary media (``/cgi-bin/media/upload``), three days. ``created_at`` is a *string* here."""

from __future__ import annotations

from typing import Any

from sandbox.call import Call
from sandbox.state import SandboxState
from sandbox.uploads import MB, UploadErrors, checked_upload, rules
from sandbox.wecom.tokens import require_token

#: WeCom refuses files of 5 bytes or fewer.
ALLOWED = rules(min_bytes=6, image=("jpg jpeg png", 10 * MB), voice=("amr", 2 * MB), video=("mp4", 10 * MB),
                file=("*", 20 * MB))
ERRORS = UploadErrors(bad_type=(40004, "invalid media type"), missing=(44001, "empty media data"),
                      bad_extension=(40005, "invalid file type"), bad_size=(40006, "invalid file size"))


def upload(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    media_type = call.param("type")
    file = checked_upload(call, media_type, ALLOWED, ERRORS)
    item = state.media.add("wecom", "app", str(media_type), file, state.now(),
                           state.options.media_lifetime_seconds)
    return {"errcode": 0, "errmsg": "", "type": media_type, "media_id": item.media_id,
            "created_at": str(int(item.created_at))}
