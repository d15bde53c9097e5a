"""Pure protocol code for WeChat Official Accounts, WeCom and DingTalk.

Nothing here knows about queues, web frameworks or databases: crypto and signatures, XML messages and
replies, one :class:`Transport` every API call goes through, the errcode policy in :mod:`platforms.errors`,
and one client per platform organised by resource (:mod:`platforms.wechat`, :mod:`platforms.wecom`,
:mod:`platforms.dingtalk`).
"""

from platforms.crypto import MessageCrypto
from platforms.errors import (
    DecryptError,
    MessageFormatError,
    Outcome,
    PermanentError,
    PlatformError,
    ProtocolError,
    RetryLaterError,
    SignatureError,
    TokenExpiredError,
    TransportError,
    classify_errcode,
    error_for,
)
from platforms.tokens import MemoryTokenStore, StoreTokenSource, TokenGrant, TokenSource, TokenStore
from platforms.transport import Transport
from platforms.xml import parse_xml, render_xml

__all__ = [
    "DecryptError",
    "MemoryTokenStore",
    "MessageCrypto",
    "MessageFormatError",
    "Outcome",
    "PermanentError",
    "PlatformError",
    "ProtocolError",
    "RetryLaterError",
    "SignatureError",
    "StoreTokenSource",
    "TokenExpiredError",
    "TokenGrant",
    "TokenSource",
    "TokenStore",
    "Transport",
    "TransportError",
    "classify_errcode",
    "error_for",
    "parse_xml",
    "render_xml",
]
