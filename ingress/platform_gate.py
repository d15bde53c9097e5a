"""Actions on a platform that is off are refused at the door, naming the keys that would turn it on.

A resource whose methods act on a platform (the Official Account's template sync, menu publish, media upload...)
says so in a ``needs_platform`` class attribute: HTTP method -> ``third`` section. While that section lacks its
credentials, such a request is a 422 listing the keys to set, instead of a job that fails at the worker.
"""

from __future__ import annotations

import falcon

from config.platforms import missing_keys
from config.settings import ThirdSettings
from ingress.errors import unprocessable

#: ``third`` section -> the keys an API call through it needs.
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "wechat": ("app_id", "app_secret"),
    "wecom": ("corp_id", "corp_secret"),
    "ding_talk": ("app_key", "app_secret"),
}


class PlatformGate:
    """Middleware: a 422 for a method its resource declares in ``needs_platform`` while that platform is off."""

    def __init__(self, third: ThirdSettings) -> None:
        self.third = third

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        section = getattr(resource, "needs_platform", {}).get(req.method)
        if section is None:
            return
        missing = missing_keys(self.third, section, CREDENTIALS[section])
        if missing:
            message = f"the {section.replace('_', '')} platform is off: set {', '.join(missing)}"
            raise unprocessable(message, [{"field": "platform", "message": message, "type": "not_configured"}])
