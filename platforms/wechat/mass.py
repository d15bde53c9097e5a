"""Mass sends (群发): one message to every follower, a tag's followers, or a list of openids.

A mass send cannot be taken back once WeChat accepted it (``mass/delete`` only hides an article afterwards), so
callers confirm first and pass ``clientmsgid``: WeChat answers 45065 to a second send with the same one.
The outcome arrives later as the ``MASSSENDJOBFINISH`` event.
"""

from __future__ import annotations

from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: The message types a mass send takes.
MASS_MSGTYPES = ("mpnews", "text", "voice", "image", "mpvideo", "wxcard")
#: WeChat's answer to a ``clientmsgid`` it has already sent.
CLIENTMSGID_EXISTS = 45065


class MassSends:
    """``/cgi-bin/message/mass/{sendall,send,get,delete}``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def send_to_all(self, message: dict[str, Any], tag_id: int | None = None,
                    clientmsgid: str | None = None) -> dict[str, Any]:
        """Send ``message`` (``{"msgtype", "<msgtype>": {...}}``) to every follower, or to ``tag_id``'s.

        Returns ``{msg_id, msg_data_id?}``.
        """
        body = {"filter": {"is_to_all": tag_id is None, **({"tag_id": tag_id} if tag_id is not None else {})},
                **message, **({"clientmsgid": clientmsgid} if clientmsgid else {})}
        return self._transport.request("POST", "/cgi-bin/message/mass/sendall", json=body, token=self._token)

    def send_to_openids(self, openids: list[str], message: dict[str, Any],
                        clientmsgid: str | None = None) -> dict[str, Any]:
        """Send ``message`` to 2..10000 openids; returns ``{msg_id, msg_data_id?}``."""
        body = {"touser": list(openids), **message, **({"clientmsgid": clientmsgid} if clientmsgid else {})}
        return self._transport.request("POST", "/cgi-bin/message/mass/send", json=body, token=self._token)

    def get(self, msg_id: int) -> dict[str, Any]:
        """``{msg_id, msg_status}`` (``SEND_SUCCESS``, ``SENDING``, ``SEND_FAIL``, ``DELETE``)."""
        return self._transport.request("POST", "/cgi-bin/message/mass/get", json={"msg_id": msg_id},
                                       token=self._token, success=("msg_status",))

    def delete(self, msg_id: int, article_idx: int = 0) -> None:
        """Hide a sent mpnews/mpvideo (``article_idx`` 0: every article); the messages themselves stay sent."""
        self._transport.request("POST", "/cgi-bin/message/mass/delete", token=self._token,
                                json={"msg_id": msg_id, "article_idx": article_idx})
