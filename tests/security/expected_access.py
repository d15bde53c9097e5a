"""Who may call each route, written down here rather than read back from the app.

A route missing from this table must be admin-only. Changing who may call a route means changing this table in
the same commit: a resource whose ``scope`` drifted (a users API opened to ``notify`` keys, a portal opened to
anyone) fails the tests that read it.
"""

from __future__ import annotations

import re

#: Route templates (falcon spelling) that are not admin-only, and who may call them.
NOT_ADMIN: dict[str, str] = {
    "/healthz": "anyone",
    "/readyz": "anyone",
    "/metrics": "anyone",
    "/openapi.json": "anyone",
    "/admin": "anyone",
    "/docs": "anyone",
    "/demo/qr-login": "anyone",
    "/demo/qr-login/qr.svg": "anyone",
    "/token/wechat/qr/applyQrCode": "anyone",
    "/token/wechat/qr/getStatus": "anyone",
    "/token/login": "anyone",
    "/token/logout": "login-token",
    "/user/third/bind": "login-token",
    "/wechat/portal": "platform",
    "/wecom/portal": "platform",
    "/api/v1/ping": "notify",
    "/api/v1/ping/{ping_id}": "notify",
    "/api/v1/notifications": "notify",
    "/api/v1/notifications/batch": "notify",
    "/api/v1/notification-groups": "notify",
    "/api/v1/notification-groups/{group_id}": "notify",
    "/api/v1/callbacks": "notify",
    "/api/v1/callbacks/{callback_id}": "notify",
    "/api/v1/notifications/{delivery_id}": "notify",
    "/api/v1/notifications/{delivery_id}/recall": "notify",
    "/api/v1/notification-templates/{code}/render": "notify",
    "/api/v1/blobs": "notify",
    "/api/v1/blobs/{blob_id}": "notify",
    "/api/v1/blobs/{blob_id}/content": "notify",
}


def expected_access(template: str) -> str:
    """``anyone``, ``platform``, ``login-token``, ``notify`` or ``admin`` (the default)."""
    return NOT_ADMIN.get(re.sub(r"\{(\w+):\w+\}", r"{\1}", template), "admin")  # {id:int} spells {id}
