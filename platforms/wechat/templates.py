"""Template messages: the account's private templates and sending them."""

from __future__ import annotations

import re
from typing import Any

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

#: A placeholder in a template's content: ``{{keyword1.DATA}}``.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}")

#: A template field's value, either ``{"value": ..., "color"?: ...}`` or a bare string.
TemplateData = dict[str, dict[str, str] | str]


def template_keys(content: str) -> list[str]:
    """The data keys a template's content asks for, in order, each once (``first``, ``keyword1``...)."""
    return list(dict.fromkeys(PLACEHOLDER.findall(content)))


class Templates:
    """``/cgi-bin/template/*`` and ``/cgi-bin/message/template/send``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def list_private(self) -> list[dict[str, Any]]:
        """The account's templates: ``template_id, title, primary_industry, deputy_industry, content, example``."""
        body = self._transport.request("GET", "/cgi-bin/template/get_all_private_template", token=self._token,
                                      success=("template_list",))
        return list(body.get("template_list") or [])

    def delete(self, template_id: str) -> None:
        self._transport.request(
            "POST", "/cgi-bin/template/del_private_template", json={"template_id": template_id}, token=self._token
        )

    def send(
        self,
        touser: str,
        template_id: str,
        data: TemplateData,
        url: str | None = None,
        miniprogram: dict[str, str] | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """Send a template message to a follower and return its ``msgid``.

        ``data`` maps template keys to ``{"value": ..., "color": ...}``; a bare string is taken as the
        value. ``client_msg_id`` lets the platform drop a duplicate of a send we retried.
        The delivery outcome arrives later as a ``TEMPLATESENDJOBFINISH`` event.
        """
        payload: dict[str, Any] = {
            "touser": touser,
            "template_id": template_id,
            "data": {key: {"value": v} if isinstance(v, str) else v for key, v in data.items()},
        }
        if url is not None:
            payload["url"] = url
        if miniprogram is not None:
            payload["miniprogram"] = miniprogram
        if client_msg_id is not None:
            payload["client_msg_id"] = client_msg_id
        body = self._transport.request("POST", "/cgi-bin/message/template/send", json=payload, token=self._token)
        if "msgid" not in body:
            raise PermanentError("wechat", None, "template send answered without a msgid")
        return int(body["msgid"])
