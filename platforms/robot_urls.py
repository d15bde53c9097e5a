"""A robot's credential from the webhook URL operators copy out of DingTalk or WeCom.

The consoles show a robot as one URL (``https://oapi.dingtalk.com/robot/send?access_token=...``,
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...``); pasted whole where the token belongs, it would be
sent verbatim and refused (DingTalk 300001). So a URL is reduced to its credential, and a URL of any other host
is refused: it is not the platform's robot, and the credential must not travel elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class WebhookShape:
    host: str
    path: str
    param: str


#: Where each platform's robots are reached, and the query parameter that carries the credential.
WEBHOOKS: dict[str, WebhookShape] = {
    "dingtalk": WebhookShape("oapi.dingtalk.com", "/robot/send", "access_token"),
    "wecom": WebhookShape("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
}


def looks_like_url(value: str) -> bool:
    return "://" in value or value.lower().startswith(("http:", "https:", "//"))


def credential_from(platform: str, value: str) -> str:
    """``value`` itself when it is a bare credential, or the credential of the platform's webhook URL in it.

    :raises ValueError: the URL is not the platform's webhook (another host, scheme or path), or carries no
        credential; the message says which, without repeating the value.
    """
    value = value.strip()
    if not looks_like_url(value):
        return value
    shape = WEBHOOKS[platform]
    try:
        url = urlsplit(value)
        host = url.hostname or ""
        port = url.port
    except ValueError:
        raise ValueError(f"not a {platform} robot webhook URL") from None
    if url.scheme.lower() != "https" or host.lower() != shape.host or port not in (None, 443):
        raise ValueError(f"a {platform} robot webhook URL is https://{shape.host}{shape.path}?{shape.param}=...; "
                         f"this one's host is {host or 'missing'}")
    if url.path.rstrip("/") != shape.path:
        raise ValueError(f"a {platform} robot webhook URL has the path {shape.path}")
    values = [v.strip() for v in parse_qs(url.query).get(shape.param, []) if v.strip()]
    if len(values) != 1:
        raise ValueError(f"the webhook URL carries no single {shape.param}")
    return values[0]
