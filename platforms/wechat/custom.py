"""Customer-service messages (客服消息): the way to answer a follower after the 5-second passive-reply window.

WeChat takes them only within 48 hours of the follower's last message to the account (or menu click, scan,
follow); after that every send answers 45015, which no retry can fix.
"""

from __future__ import annotations

from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: The message types ``/cgi-bin/message/custom/send`` takes.
CUSTOM_MSGTYPES = ("text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "miniprogrampage")


class CustomerService:
    """``/cgi-bin/message/custom/send`` and ``/cgi-bin/message/custom/typing``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def send(self, message: dict[str, Any]) -> None:
        """Send ``message`` in the platform's shape: ``{"touser", "msgtype", "<msgtype>": {...}}``.

        :raises PermanentError: 45015 when the follower's last message is more than 48 hours old.
        """
        self._transport.request("POST", "/cgi-bin/message/custom/send", json=message, token=self._token)

    def typing(self, openid: str, typing: bool = True) -> None:
        """Show (or stop showing) "typing..." to the follower while an answer is being prepared."""
        self._transport.request("POST", "/cgi-bin/message/custom/typing", token=self._token,
                                json={"touser": openid, "command": "Typing" if typing else "CancelTyping"})
