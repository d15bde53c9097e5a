"""What an errcode means, and the exceptions that carry it.

Every platform answers HTTP 200 with ``{"errcode": N, "errmsg": "..."}`` for most failures, so the
decision "ok / refresh the token / retry later / give up" is made here, from one table per platform,
and nowhere else. Unknown codes are permanent: retrying something we do not understand only hammers
the platform.
"""

from __future__ import annotations

import enum


class Outcome(enum.Enum):
    """What the caller should do about an API answer."""

    OK = "ok"
    #: The access token was rejected: expire it, fetch a new one, retry once.
    REFRESH_TOKEN = "refresh_token"
    #: The platform is busy or throttling us: retry later with back-off.
    RETRY_LATER = "retry_later"
    #: Retrying cannot help (bad request, bad credentials, quota for the day, unknown code).
    PERMANENT = "permanent"


_OK, _REFRESH, _RETRY, _PERMANENT = Outcome.OK, Outcome.REFRESH_TOKEN, Outcome.RETRY_LATER, Outcome.PERMANENT

#: WeChat Official Account (and mini-program) codes. 45009 is a *daily* quota: fail, do not hammer.
WECHAT_ERRCODES: dict[int, Outcome] = {
    0: _OK,
    40001: _REFRESH, 40014: _REFRESH, 42001: _REFRESH,
    -1: _RETRY, 45011: _RETRY,
    40164: _PERMANENT, 40013: _PERMANENT, 40125: _PERMANENT, 43004: _PERMANENT, 40037: _PERMANENT,
    47003: _PERMANENT, 45009: _PERMANENT, 46003: _PERMANENT, 40029: _PERMANENT, 40226: _PERMANENT,
}  # fmt: skip

#: WeCom codes. 45009 here is the group robot's per-minute limit, so it is worth a retry.
WECOM_ERRCODES: dict[int, Outcome] = {
    0: _OK,
    40001: _REFRESH, 40014: _REFRESH, 42001: _REFRESH,
    -1: _RETRY, 45009: _RETRY, 45033: _RETRY,
    60020: _PERMANENT, 40056: _PERMANENT, 81013: _PERMANENT, 82001: _PERMANENT, 93000: _PERMANENT,
}  # fmt: skip

#: DingTalk codes. 130101 (robot "send too fast") throttles for minutes; 90020 is a monthly quota.
DINGTALK_ERRCODES: dict[int, Outcome] = {
    0: _OK,
    40014: _REFRESH, 42001: _REFRESH, 40001: _REFRESH, 33001: _REFRESH,
    -1: _RETRY, 90002: _RETRY, 90019: _RETRY, 130101: _RETRY,
    310000: _PERMANENT, 300001: _PERMANENT, 300005: _PERMANENT, 460101: _PERMANENT, 90020: _PERMANENT,
}  # fmt: skip

ERRCODE_TABLES: dict[str, dict[int, Outcome]] = {
    "wechat": WECHAT_ERRCODES,
    "wecom": WECOM_ERRCODES,
    "dingtalk": DINGTALK_ERRCODES,
}

#: The shortest sensible wait (seconds) for codes that mean "you are rate limited for a while".
RETRY_AFTER: dict[str, dict[int, float]] = {
    "wecom": {45009: 60.0},
    "dingtalk": {130101: 60.0},
}


def classify_errcode(platform: str, errcode: int) -> Outcome:
    """Map a platform's errcode to an :class:`Outcome`; unknown codes are :attr:`Outcome.PERMANENT`."""
    try:
        table = ERRCODE_TABLES[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}") from None
    return table.get(errcode, Outcome.PERMANENT)


def retry_after_for(platform: str, errcode: int | None) -> float | None:
    """How long to wait before retrying ``errcode``, when the platform's rules say so."""
    if errcode is None:
        return None
    return RETRY_AFTER.get(platform, {}).get(errcode)


class PlatformError(Exception):
    """A platform API call failed.

    :param platform: ``"wechat"``, ``"wecom"`` or ``"dingtalk"``.
    :param errcode: the platform's code, or None when the failure happened below it (HTTP, network).
    :param errmsg: the platform's message, or a description of the transport failure.
    :param retry_after: seconds to wait before retrying, when the platform's rules say so.
    """

    outcome: Outcome = Outcome.PERMANENT

    def __init__(self, platform: str, errcode: int | None, errmsg: str, retry_after: float | None = None) -> None:
        super().__init__(platform, errcode, errmsg, retry_after)
        self.platform = platform
        self.errcode = errcode
        self.errmsg = errmsg
        self.retry_after = retry_after

    def __str__(self) -> str:
        code = "" if self.errcode is None else f" errcode {self.errcode}"
        return f"{self.platform}{code}: {self.errmsg}"


class TokenExpiredError(PlatformError):
    """The access token was rejected even after one refresh (or a token-less call reported it)."""

    outcome = Outcome.REFRESH_TOKEN


class RetryLaterError(PlatformError):
    """The platform is busy or throttling; the job should be retried with back-off."""

    outcome = Outcome.RETRY_LATER


class PermanentError(PlatformError):
    """Retrying cannot help; fail the job with this reason."""

    outcome = Outcome.PERMANENT


class PlatformUnreachable(RetryLaterError):
    """The request never got a platform answer: timeout, connection error (httpx's ``TransportError``, kept as
    the ``__cause__``) or HTTP 5xx."""

    def __init__(self, platform: str, errcode: None = None, errmsg: str = "", retry_after: float | None = None) -> None:
        super().__init__(platform, None, errmsg, retry_after)


_ERROR_CLASSES: dict[Outcome, type[PlatformError]] = {
    Outcome.REFRESH_TOKEN: TokenExpiredError,
    Outcome.RETRY_LATER: RetryLaterError,
    Outcome.PERMANENT: PermanentError,
}


def error_for(platform: str, errcode: int, errmsg: str) -> PlatformError:
    """Build the exception for a failed answer, with its class chosen by :func:`classify_errcode`."""
    outcome = classify_errcode(platform, errcode)
    if outcome is Outcome.OK:
        raise ValueError(f"errcode {errcode} is a success on {platform}, not an error")
    cls = _ERROR_CLASSES[outcome]
    return cls(platform, errcode, errmsg, retry_after_for(platform, errcode))


class ProtocolError(Exception):
    """An inbound callback could not be trusted or understood; answer it with a 4xx, never retry."""


class SignatureError(ProtocolError):
    """The signature (or msg_signature) does not match: not from the platform, or a wrong token."""


class DecryptError(ProtocolError):
    """The ciphertext does not decrypt to a well-formed message for our ReceiveId."""


class MessageFormatError(ProtocolError):
    """The XML is malformed, declares a DTD or entities, or lacks a required field."""


class ReplayError(ProtocolError):
    """The callback's timestamp is outside the accepted window: a replay, or a clock far off."""


class PlaintextRefusedError(ProtocolError):
    """A plaintext-mode callback where safe mode is required: only the token signs it, not its body, so anyone
    who saw one callback's query (a proxy's access log keeps it) could post any body under it."""


class NonceReusedError(ReplayError):
    """The callback's ``(timestamp, nonce)`` came before with another body: a replay with a body of one's choice."""
