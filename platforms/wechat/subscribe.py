"""Subscription messages (订阅消息): what a user agreed to receive, one message per agreement.

The Official Account sends with ``/cgi-bin/message/subscribe/bizsend``, a mini-program with
``/cgi-bin/message/subscribe/send``; both list their templates with ``/wxaapi/newtmpl/gettemplate``. A template's
keys carry a type (``thing1``, ``time2``...) and WeChat refuses a value outside that type's rule with 47003; a user
who did not subscribe (or refused) is 43101, which no retry fixes.
"""

from __future__ import annotations

import re
from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: A key in a subscription template's content: ``{{thing1.DATA}}``.
_KEY = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}")

#: Where each kind of account sends.
BIZSEND_PATH = "/cgi-bin/message/subscribe/bizsend"
APPLET_SEND_PATH = "/cgi-bin/message/subscribe/send"


def subscribe_keys(content: str) -> list[str]:
    """The data keys of a subscription template's content, in order, each once."""
    return list(dict.fromkeys(_KEY.findall(content)))


class SubscribeMessages:
    """One account's subscription templates and sends; ``send_path`` says which kind of account."""

    def __init__(self, transport: Transport, token: TokenSource, send_path: str) -> None:
        self._transport = transport
        self._token = token
        self._send_path = send_path

    def templates(self) -> list[dict[str, Any]]:
        """The account's templates: ``priTmplId, title, content, example, type`` (2 one-off, 3 long-term)."""
        body = self._transport.request("GET", "/wxaapi/newtmpl/gettemplate", token=self._token, success=("data",))
        return list(body.get("data") or [])

    def send(self, message: dict[str, Any]) -> None:
        """Send ``message`` in the platform's shape (``touser, template_id, data, page?...``).

        :raises PermanentError: 43101 the user did not subscribe, 47003 a value breaks its key's rule, 40037.
        """
        self._transport.request("POST", self._send_path, json=message, token=self._token)
