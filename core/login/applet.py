"""Mini-program login: the worker's ``jscode2session`` answer, handed back to the request waiting for it.

The ingress never calls WeChat, so ``POST /token/login`` with a ``wx.login`` code enqueues the exchange and
waits on a per-request Redis list with ``BLPOP`` (bounded); the actor pushes what WeChat said there. Only
the openid and unionid (or the errcode) travel: the ``session_key`` WeChat also returns is a secret the
login does not need, so it is dropped in the worker and never stored, queued or logged.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass

import redis

#: Per-exchange reply lists.
REPLY_PREFIX = "imbridge:login:applet:"
#: An answer nobody collected (the request gave up) disappears after this long.
REPLY_TTL_SECONDS = 60


@dataclass(frozen=True)
class ExchangeAnswer:
    """What WeChat said about one code: an openid (and maybe a unionid), or an errcode."""

    openid: str | None = None
    unionid: str | None = None
    errcode: int | None = None
    errmsg: str | None = None
    #: The platform was busy or unreachable: the same code may still work later.
    retry_later: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.openid)


class AppletExchanges:
    """Reply lists on ``client``."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(16)

    def answer(self, exchange_id: str, answer: ExchangeAnswer) -> None:
        key = REPLY_PREFIX + exchange_id
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(key, json.dumps(asdict(answer)))
        pipe.expire(key, REPLY_TTL_SECONDS)
        pipe.execute()

    def wait(self, exchange_id: str, timeout: float) -> ExchangeAnswer | None:
        """The answer, or None when none came within ``timeout`` seconds."""
        popped = self.redis.blpop([REPLY_PREFIX + exchange_id], timeout=max(timeout, 0.01))
        if popped is None:
            return None
        return ExchangeAnswer(**json.loads(popped[1]))
