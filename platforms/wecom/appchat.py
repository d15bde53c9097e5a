"""WeCom app chats (群聊会话): a group chat the app creates and then posts to as itself.

``appchat/create`` makes the chat (2 to 2000 members, the owner among them) and answers its ``chatid``;
``appchat/send`` posts text, image, voice, video, file, textcard, news, mpnews or markdown to it. Only chats the
app created itself can be posted to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

MIN_MEMBERS, MAX_MEMBERS = 2, 2000


class AppChats:
    """``/cgi-bin/appchat/*`` with the app's token."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def create(self, userlist: Sequence[str], *, name: str | None = None, owner: str | None = None,
               chatid: str | None = None) -> str:
        """Create a chat of ``userlist`` (2 to 2000 members); returns its chatid (``chatid`` when given)."""
        users = [str(u) for u in userlist]
        if not MIN_MEMBERS <= len(users) <= MAX_MEMBERS:
            raise ValueError(f"userlist takes {MIN_MEMBERS} to {MAX_MEMBERS} members, got {len(users)}")
        payload: dict[str, Any] = {"userlist": users}
        for key, value in (("name", name), ("owner", owner), ("chatid", chatid)):
            if value:
                payload[key] = value
        body = self._transport.request("POST", "/cgi-bin/appchat/create", json=payload, token=self._token)
        if not body.get("chatid"):
            raise PermanentError("wecom", None, "appchat/create answered without a chatid")
        return str(body["chatid"])

    def send(self, chatid: str, message: dict[str, Any]) -> None:
        """Post ``message`` (``{"msgtype": ..., <type>: {...}}``, optionally ``safe``) to the chat."""
        self._transport.request("POST", "/cgi-bin/appchat/send", json={"chatid": chatid, **message},
                                token=self._token)
