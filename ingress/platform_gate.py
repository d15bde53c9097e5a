"""Actions on a platform that is off are refused at the door, naming the keys that would turn it on.

A resource whose methods act on a platform (the Official Account's template sync, menu publish, media upload...)
says so in a ``needs_platform`` class attribute: HTTP method -> ``third`` section. While that section lacks its
credentials, such a request is a 422 listing the keys to set, instead of a job that fails at the worker.

Which account's credentials: the request's ``?account=`` (omitted: the default); for a resource acting on a stored
row (a menu, a media record, a mass send), the row's own account, which the resource names in ``account_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon

from config.platforms import missing_keys
from config.settings import ThirdSettings
from ingress.errors import unprocessable
from models.db import Database

#: ``third`` section -> the keys an API call through it needs.
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "wechat": ("app_id", "app_secret"),
    "wecom": ("corp_id", "corp_secret"),
    "ding_talk": ("app_key", "app_secret"),
}


#: ``third`` section -> the platform of ``third.accounts`` (a request's ``?account=`` names one of its accounts).
ACCOUNT_PLATFORMS = {"wechat": "wechat", "wecom": "wecom", "ding_talk": "ding-talk"}


class PlatformGate:
    """Middleware: a 422 for a method its resource declares in ``needs_platform`` while that platform is off
    (with ``?account=``: while that account lacks its credentials; an unknown account is the resource's 422).

    :param find_account: ``(platform, code) -> settings or None``, the accounts registry's lookup.
    """

    def __init__(self, third: ThirdSettings, find_account: Callable[[str, str], Any] | None = None) -> None:
        self.third = third
        self.find_account = find_account

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        section = getattr(resource, "needs_platform", {}).get(req.method)
        if section is None:
            return
        account_of = getattr(resource, "account_of", None)
        if account_of is None:
            code = req.get_param("account")
        elif (code := account_of(**params)) is None:
            return  # no such row: the resource answers 404
        if code and code != "default" and self.find_account is not None:
            settings = self.find_account(ACCOUNT_PLATFORMS[section], code)
            missing = [f"{f.replace('_', '-')} of account '{code}'" for f in CREDENTIALS[section]
                       if settings is not None and getattr(settings, f, None) in (None, "")]
        else:
            missing = missing_keys(self.third, section, CREDENTIALS[section])
        if missing:
            message = f"the {section.replace('_', '')} platform is off: set {', '.join(missing)}"
            raise unprocessable(message, [{"field": "platform", "message": message, "type": "not_configured"}])


def row_account(database: Database, model: type, key: Any) -> str | None:
    """The account of ``model``'s row ``key``, for a resource's ``account_of``; None when there is no such row."""
    with database.session() as session:
        row = session.get(model, key)
        return None if row is None else row.account
