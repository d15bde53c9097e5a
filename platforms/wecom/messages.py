"""App messages: what a WeCom self-built app sends to members, departments and tags."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from platforms._grant import not_configured
from platforms.tokens import TokenSource
from platforms.transport import Transport


class SendResult(TypedDict):
    """A send can succeed (errcode 0) and still name recipients it skipped: record them.

    The lists are the platform's ``|``-separated strings, empty when everyone was reached.
    """

    msgid: str
    invaliduser: str
    invalidparty: str
    invalidtag: str
    unlicenseduser: NotRequired[str]
    response_code: NotRequired[str]


class AppMessages:
    """``/cgi-bin/message/send`` and ``/cgi-bin/message/recall``.

    :param agent_id: added to every payload that does not name its own ``agentid``.
    """

    def __init__(self, transport: Transport, token: TokenSource, agent_id: int | None) -> None:
        self._transport = transport
        self._token = token
        self._agent_id = agent_id

    def send(self, payload: dict[str, Any]) -> SendResult:
        """Send ``payload`` (``touser``/``toparty``/``totag``, ``msgtype`` and its body) as this app.

        :raises PermanentError: 81013 when every recipient is invalid, and other permanent codes.
        """
        if "msgtype" not in payload:
            raise ValueError("payload needs a msgtype")
        body = dict(payload)
        if "agentid" not in body:
            if self._agent_id is None:
                raise not_configured("wecom", "wecom agent_id")
            body["agentid"] = self._agent_id
        answer = self._transport.request("POST", "/cgi-bin/message/send", json=body, token=self._token)
        result = SendResult(
            msgid=str(answer.get("msgid", "")),
            invaliduser=str(answer.get("invaliduser", "")),
            invalidparty=str(answer.get("invalidparty", "")),
            invalidtag=str(answer.get("invalidtag", "")),
        )
        if answer.get("unlicenseduser"):
            result["unlicenseduser"] = str(answer["unlicenseduser"])
        if answer.get("response_code"):
            result["response_code"] = str(answer["response_code"])
        return result

    def recall(self, msgid: str) -> None:
        """Withdraw a message sent within the last 24 hours."""
        self._transport.request("POST", "/cgi-bin/message/recall", json={"msgid": msgid}, token=self._token)
