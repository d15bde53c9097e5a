"""Parametric QR codes, the first half of QR-scan login.

Tickets are base64 with ``+``, ``/`` and ``=`` in them, as the real ones are, so a client that forgets to
URL-encode the ticket in the showqrcode URL finds out here. Temporary codes live at most 30 days; a longer
``expire_seconds`` is cut to 2592000, a missing one means 60 seconds (both as the platform does).
"""

from __future__ import annotations

import base64
import io
import secrets
from typing import Any

import segno

from sandbox.call import Call
from sandbox.endpoint import Answer
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.store import QrTicket
from sandbox.wechat.tokens import require_token

MAX_EXPIRE_SECONDS = 2_592_000
DEFAULT_EXPIRE_SECONDS = 60
TEMPORARY = {"QR_SCENE", "QR_STR_SCENE"}
ACTIONS = TEMPORARY | {"QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"}


def _scene(action: str, info: Any) -> str:
    scene = info.get("scene") if isinstance(info, dict) else None
    if not isinstance(scene, dict):
        raise ErrcodeAnswer(40097, "invalid args")
    if action.endswith("STR_SCENE"):
        value = scene.get("scene_str")
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            raise ErrcodeAnswer(40097, "invalid args: scene_str must be 1..64 characters")
        return value
    value = scene.get("scene_id")
    upper = 100_000 if action == "QR_LIMIT_SCENE" else 2**32 - 1
    if not isinstance(value, int) or not 1 <= value <= upper:
        raise ErrcodeAnswer(40097, "invalid args: scene_id out of range")
    return str(value)


def create(state: SandboxState, call: Call) -> dict[str, Any]:
    app = require_token(state, call)
    body = call.json_object()
    action = body.get("action_name")
    if action not in ACTIONS:
        raise ErrcodeAnswer(40097, "invalid args: action_name")
    scene = _scene(action, body.get("action_info"))
    ticket = base64.b64encode(secrets.token_bytes(72)).decode()
    url = "http://weixin.qq.com/q/" + secrets.token_urlsafe(16)
    now = state.now()
    answer: dict[str, Any] = {"ticket": ticket}
    expires_at = None
    if action in TEMPORARY:
        expire = body.get("expire_seconds", DEFAULT_EXPIRE_SECONDS)
        if not isinstance(expire, int) or expire < 1:
            raise ErrcodeAnswer(40097, "invalid args: expire_seconds")
        expire = min(expire, MAX_EXPIRE_SECONDS)
        expires_at = now + expire
        answer["expire_seconds"] = expire
    answer["url"] = url
    state.wechat.tickets[ticket] = QrTicket(ticket, action, scene, url, now, expires_at, app)
    return answer


def live_ticket(state: SandboxState, ticket: str | None) -> QrTicket | None:
    found = state.wechat.tickets.get(ticket or "")
    if found is None or (found.expires_at is not None and found.expires_at <= state.now()):
        return None
    return found


def show(state: SandboxState, call: Call) -> Answer:
    """GET showqrcode?ticket=: the QR image (the real one lives on mp.weixin.qq.com)."""
    found = live_ticket(state, call.param("ticket"))
    if found is None:
        return Answer(b"ticket not found", "text/plain", 404)
    buffer = io.BytesIO()
    segno.make(found.url, error="m").save(buffer, kind="png", scale=6)
    return Answer(buffer.getvalue(), "image/png")
