"""Who may call each route, written down here rather than read back from the app.

One line per routed operation (method, falcon route template). A route the app serves that is missing here fails
``test_route_walk.py::test_every_routed_operation_is_written_down`` (and so does a line for a route that is gone):
adding a route means deciding who may call it, in this table, in the same commit. A resource whose ``scope``
drifted (a users API opened to ``notify`` keys, a portal opened to anyone) fails the tests that read it.
"""

from __future__ import annotations

#: No API key: health, the API documents, the admin page's files, the QR-login steps a browser takes.
ANYONE = "anyone"
#: No API key: the resource checks the platform's signature.
PLATFORM = "platform"
#: No API key: the resource checks a user's login token.
LOGIN_TOKEN = "login-token"
#: An API key of scope ``notify`` (or ``admin``).
NOTIFY = "notify"
#: An API key of scope ``admin``.
ADMIN = "admin"

#: ``(METHOD, route template) -> who may call it``, for every operation the app routes.
EXPECTED_ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): ANYONE,
    ("GET", "/readyz"): ANYONE,
    ("GET", "/metrics"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    ("POST", "/api/v1/ping"): NOTIFY,
    ("GET", "/api/v1/ping/{ping_id}"): NOTIFY,
    ("GET", "/api/v1/apikeys"): ADMIN,
    ("POST", "/api/v1/apikeys"): ADMIN,
    ("DELETE", "/api/v1/apikeys/{key_id}"): ADMIN,
    ("GET", "/api/v1/notifications"): NOTIFY,
    ("POST", "/api/v1/notifications"): NOTIFY,
    ("POST", "/api/v1/notifications/batch"): NOTIFY,
    ("GET", "/api/v1/notifications/{delivery_id}"): NOTIFY,
    ("POST", "/api/v1/notifications/{delivery_id}/retry"): ADMIN,
    ("POST", "/api/v1/notifications/{delivery_id}/recall"): NOTIFY,
    ("POST", "/api/v1/notifications/{delivery_id}/status-bar"): NOTIFY,
    ("POST", "/api/v1/wecom/appchats"): ADMIN,
    ("GET", "/api/v1/robots/dingtalk"): ADMIN,
    ("POST", "/api/v1/robots/dingtalk"): ADMIN,
    ("DELETE", "/api/v1/robots/dingtalk/{code}"): ADMIN,
    ("GET", "/api/v1/robots/dingtalk/{code}"): ADMIN,
    ("PATCH", "/api/v1/robots/dingtalk/{code}"): ADMIN,
    ("GET", "/api/v1/robots/wecom"): ADMIN,
    ("POST", "/api/v1/robots/wecom"): ADMIN,
    ("DELETE", "/api/v1/robots/wecom/{code}"): ADMIN,
    ("GET", "/api/v1/robots/wecom/{code}"): ADMIN,
    ("PATCH", "/api/v1/robots/wecom/{code}"): ADMIN,
    ("GET", "/api/v1/notification-templates"): ADMIN,
    ("POST", "/api/v1/notification-templates"): ADMIN,
    ("DELETE", "/api/v1/notification-templates/{code}"): ADMIN,
    ("GET", "/api/v1/notification-templates/{code}"): ADMIN,
    ("PATCH", "/api/v1/notification-templates/{code}"): ADMIN,
    ("POST", "/api/v1/notification-templates/{code}/render"): NOTIFY,
    ("GET", "/api/v1/blobs"): NOTIFY,
    ("POST", "/api/v1/blobs"): NOTIFY,
    ("DELETE", "/api/v1/blobs/{blob_id}"): NOTIFY,
    ("GET", "/api/v1/blobs/{blob_id}"): NOTIFY,
    ("GET", "/api/v1/jobs"): ADMIN,
    ("GET", "/api/v1/jobs/{job_id}"): ADMIN,
    ("POST", "/api/v1/jobs/{job_id}/retry"): ADMIN,
    ("GET", "/api/v1/wechat/templates"): ADMIN,
    ("POST", "/api/v1/wechat/templates/sync"): ADMIN,
    ("GET", "/api/v1/wechat/templates/{template_id:id}"): ADMIN,
    ("PATCH", "/api/v1/wechat/templates/{template_id:id}"): ADMIN,
    ("POST", "/api/v1/wechat/template-messages"): ADMIN,
    ("GET", "/api/v1/wechat/menus"): ADMIN,
    ("POST", "/api/v1/wechat/menus"): ADMIN,
    ("GET", "/api/v1/wechat/menus/published"): ADMIN,
    ("POST", "/api/v1/wechat/menus/import"): ADMIN,
    ("POST", "/api/v1/wechat/menus/clear"): ADMIN,
    ("DELETE", "/api/v1/wechat/menus/{menu_id:id}"): ADMIN,
    ("GET", "/api/v1/wechat/menus/{menu_id:id}"): ADMIN,
    ("PATCH", "/api/v1/wechat/menus/{menu_id:id}"): ADMIN,
    ("PUT", "/api/v1/wechat/menus/{menu_id:id}"): ADMIN,
    ("POST", "/api/v1/wechat/menus/{menu_id:id}/publish"): ADMIN,
    ("GET", "/api/v1/wechat/menus/{menu_id:id}/diff"): ADMIN,
    ("GET", "/api/v1/wechat/media"): ADMIN,
    ("POST", "/api/v1/wechat/media"): ADMIN,
    ("GET", "/api/v1/wechat/media/counts"): ADMIN,
    ("POST", "/api/v1/wechat/media/sync"): ADMIN,
    ("DELETE", "/api/v1/wechat/media/{record_id:id}"): ADMIN,
    ("GET", "/api/v1/wechat/media/{record_id:id}"): ADMIN,
    ("GET", "/api/v1/inbound"): ADMIN,
    ("GET", "/api/v1/inbound/{inbound_id:id}"): ADMIN,
    ("GET", "/api/v1/webhooks"): ADMIN,
    ("POST", "/api/v1/webhooks"): ADMIN,
    ("DELETE", "/api/v1/webhooks/{webhook_id:id}"): ADMIN,
    ("GET", "/api/v1/webhooks/{webhook_id:id}"): ADMIN,
    ("PATCH", "/api/v1/webhooks/{webhook_id:id}"): ADMIN,
    ("GET", "/api/v1/webhooks/{webhook_id:id}/deliveries"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/users/{user_id:id}"): ADMIN,
    ("PATCH", "/api/v1/users/{user_id:id}"): ADMIN,
    ("GET", "/api/v1/users/{user_id:id}/bindings"): ADMIN,
    ("POST", "/api/v1/users/{user_id:id}/bindings"): ADMIN,
    ("DELETE", "/api/v1/users/{user_id:id}/bindings/{binding_id:id}"): ADMIN,
    ("GET", "/api/v1/system/status"): ADMIN,
    ("GET", "/api/v1/system/handlers"): ADMIN,
    ("GET", "/wechat/portal"): PLATFORM,
    ("POST", "/wechat/portal"): PLATFORM,
    ("GET", "/wecom/portal"): PLATFORM,
    ("POST", "/wecom/portal"): PLATFORM,
    ("GET", "/api/v1/accounts"): ADMIN,
    ("POST", "/api/v1/accounts"): ADMIN,
    ("GET", "/api/v1/accounts/{platform}/{code}"): ADMIN,
    ("PATCH", "/api/v1/accounts/{platform}/{code}"): ADMIN,
    ("DELETE", "/api/v1/accounts/{platform}/{code}"): ADMIN,
    ("GET", "/wechat/portal/{code}"): PLATFORM,
    ("POST", "/wechat/portal/{code}"): PLATFORM,
    ("GET", "/wecom/portal/{code}"): PLATFORM,
    ("POST", "/wecom/portal/{code}"): PLATFORM,
    ("POST", "/token/wechat/qr/applyQrCode"): ANYONE,
    ("GET", "/token/wechat/qr/getStatus"): ANYONE,
    ("POST", "/token/login"): ANYONE,
    # Website sign-in: start (cookie + redirect), the provider's redirect back, and the waiting page's status.
    ("GET", "/token/wechat-open/authorize"): ANYONE,
    ("GET", "/token/wechat-open/callback"): ANYONE,
    ("GET", "/token/wecom/authorize"): ANYONE,
    ("GET", "/token/wecom/callback"): ANYONE,
    ("GET", "/token/dingtalk/authorize"): ANYONE,
    ("GET", "/token/dingtalk/callback"): ANYONE,
    ("GET", "/token/web/status"): ANYONE,
    ("POST", "/token/logout"): LOGIN_TOKEN,
    ("POST", "/user/third/bind"): LOGIN_TOKEN,
    ("GET", "/demo/qr-login"): ANYONE,
    ("GET", "/demo/qr-login/qr.svg"): ANYONE,
    ("GET", "/admin"): ANYONE,
    ("GET", "/docs"): ANYONE,
    ("GET", "/api/v1/blobs/{blob_id}/content"): NOTIFY,
    ("POST", "/api/v1/notification-groups"): NOTIFY,
    ("GET", "/api/v1/notification-groups/{group_id}"): NOTIFY,
    ("GET", "/api/v1/callbacks"): NOTIFY,
    ("POST", "/api/v1/callbacks"): NOTIFY,
    ("GET", "/api/v1/callbacks/{callback_id:id}"): NOTIFY,
    ("DELETE", "/api/v1/callbacks/{callback_id:id}"): NOTIFY,
    ("POST", "/api/v1/wechat/media/fetch"): ADMIN,
    ("POST", "/api/v1/wechat/media/{record_id:id}/fetch"): ADMIN,
    ("GET", "/api/v1/wechat/followers"): ADMIN,
    ("POST", "/api/v1/wechat/followers/fetch"): ADMIN,
    ("POST", "/api/v1/wechat/followers/sync"): ADMIN,
    ("GET", "/api/v1/wechat/followers/{openid}"): ADMIN,
    ("POST", "/api/v1/wechat/followers/{openid}/remark"): ADMIN,
    ("GET", "/api/v1/wechat/tags"): ADMIN,
    ("POST", "/api/v1/wechat/tags"): ADMIN,
    ("POST", "/api/v1/wechat/tags/sync"): ADMIN,
    ("DELETE", "/api/v1/wechat/tags/{tag_id:id}"): ADMIN,
    ("POST", "/api/v1/wechat/tags/{tag_id:id}/members"): ADMIN,
    ("POST", "/api/v1/wechat/tags/{tag_id:id}/members/remove"): ADMIN,
    ("POST", "/api/v1/wechat/tags/{tag_id:id}/members/sync"): ADMIN,
    ("GET", "/api/v1/wechat/subscribe-templates"): ADMIN,
    ("POST", "/api/v1/wechat/subscribe-templates/sync"): ADMIN,
    ("GET", "/api/v1/wechat/subscribe-templates/{template_id:id}"): ADMIN,
    ("PATCH", "/api/v1/wechat/subscribe-templates/{template_id:id}"): ADMIN,
    ("POST", "/api/v1/wechat/subscribe-messages"): ADMIN,
    ("POST", "/api/v1/wechat/applet-subscribe-messages"): ADMIN,
    ("GET", "/api/v1/wechat/articles"): ADMIN,
    ("POST", "/api/v1/wechat/articles/sync"): ADMIN,
    ("GET", "/api/v1/wechat/mass-sends"): ADMIN,
    ("POST", "/api/v1/wechat/mass-sends"): ADMIN,
    ("DELETE", "/api/v1/wechat/mass-sends/{mass_id:id}"): ADMIN,
    ("GET", "/api/v1/wechat/mass-sends/{mass_id:id}"): ADMIN,
    ("POST", "/api/v1/wechat/mass-sends/{mass_id:id}/confirm"): ADMIN,
    ("POST", "/api/v1/wechat/mass-sends/{mass_id:id}/status"): ADMIN,
    ("POST", "/api/v1/wechat/mass-sends/{mass_id:id}/delete-articles"): ADMIN,
}


def expected_access(template: str, method: str | None = None) -> str:
    """Who may call ``method`` on ``template`` (any method of it when ``None``); a KeyError when not written down."""
    if method is not None:
        return EXPECTED_ACCESS[(method.upper(), template)]
    found = {access for (_, path), access in EXPECTED_ACCESS.items() if path == template}
    if len(found) != 1:
        raise KeyError(template)
    return found.pop()
