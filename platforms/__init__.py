"""Pure protocol code for WeChat Official Accounts, WeCom and DingTalk.

Nothing here knows about queues, web frameworks or databases: crypto and signatures, XML messages and
replies, one :class:`Transport` every API call goes through, the errcode policy in :mod:`platforms.errors`,
and one client per platform organised by resource (:mod:`platforms.wechat`, :mod:`platforms.wecom`,
:mod:`platforms.dingtalk`), each a :class:`PlatformClient` built from plain arguments.
"""

from platforms.client import AppClient, PlatformClient
from platforms.crypto import MessageCrypto
from platforms.errors import (
    DecryptError,
    MessageFormatError,
    Outcome,
    PermanentError,
    PlatformError,
    PlatformUnreachable,
    ProtocolError,
    RetryLaterError,
    SignatureError,
    TokenExpiredError,
    classify_errcode,
    error_for,
)
from platforms.media import Media
from platforms.tokens import MemoryTokenStore, StoreTokenSource, TokenGrant, TokenSource, TokenStore
from platforms.transport import Transport
from platforms.xml import parse_xml, render_xml

__all__ = [
    "AppClient",
    "DecryptError",
    "Media",
    "MemoryTokenStore",
    "MessageCrypto",
    "MessageFormatError",
    "Outcome",
    "PermanentError",
    "PlatformClient",
    "PlatformError",
    "PlatformUnreachable",
    "ProtocolError",
    "RetryLaterError",
    "SignatureError",
    "StoreTokenSource",
    "TokenExpiredError",
    "TokenGrant",
    "TokenSource",
    "TokenStore",
    "Transport",
    "classify_errcode",
    "error_for",
    "parse_xml",
    "render_xml",
]
