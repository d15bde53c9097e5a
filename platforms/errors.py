"""What an errcode means, and the exceptions that carry it.

Every platform answers HTTP 200 with ``{"errcode": N, "errmsg": "..."}`` for most failures, so the
decision "ok / refresh the token / retry later / give up" is made here, from one table per platform,
and nowhere else. Unknown codes are permanent: retrying something we do not understand only hammers
the platform.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


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

# Each code with the meaning its platform's global error-code page gives it (WeChat: 全局返回码说明 /
# "Global Return Code"; WeCom: 全局错误码; DingTalk: 服务端API错误码), and our decision.

#: WeChat Official Account (and mini-program) codes.
WECHAT_ERRCODES: dict[int, Outcome] = {
    0: _OK,          # 请求成功 / request succeeded
    40001: _REFRESH,  # 获取 access_token 时 AppSecret 错误, 或者 access_token 无效 / invalid credential
    40014: _REFRESH,  # 不合法的 access_token / invalid access_token
    42001: _REFRESH,  # access_token 超时 / access_token expired
    -1: _RETRY,      # 系统繁忙, 此时请开发者稍候再试 / system busy, try again later
    45011: _RETRY,   # API 调用太频繁, 请稍候再试 / API minute-quota reached, try again later
    40164: _PERMANENT,  # 调用接口的 IP 地址不在白名单中 / caller IP not in the allow-list
    40013: _PERMANENT,  # 不合法的 AppID / invalid appid
    40125: _PERMANENT,  # 无效的 appsecret / invalid appsecret
    43004: _PERMANENT,  # 需要接收者关注 / the recipient must follow the account
    40037: _PERMANENT,  # 不合法的 template_id / invalid template_id
    47003: _PERMANENT,  # 参数值不符合限制要求 (模板数据) / argument invalid (template data)
    45009: _PERMANENT,  # 接口调用超过限制 (日调用量) / reach max api daily quota limit: a QUOTA, alerted
    46003: _PERMANENT,  # 不存在的菜单数据 / menu does not exist
    40029: _PERMANENT,  # 不合法或已过期的 code / invalid or expired code (jscode2session)
    40226: _PERMANENT,  # 高风险等级用户, 小程序登录拦截 / high-risk user, login blocked
}

#: WeCom codes. 45009 depends on the endpoint: see :data:`ENDPOINT_RULES`.
WECOM_ERRCODES: dict[int, Outcome] = {
    0: _OK,          # 请求成功 / request succeeded
    40001: _REFRESH,  # 不合法的 secret 参数 / invalid secret (answered for a stale token too)
    40014: _REFRESH,  # 不合法的 access_token / invalid access_token
    42001: _REFRESH,  # access_token 已过期 / access_token expired
    -1: _RETRY,      # 系统繁忙, 建议稍候重试, 不超过 3 次 / system busy, retry (at most 3 times)
    45009: _RETRY,   # 接口调用超过限制 / api freq out of limit (app: daily send cap; robot: 20 a minute)
    45033: _RETRY,   # 接口并发调用超过限制 / too many concurrent calls
    60020: _PERMANENT,  # 不安全的访问 IP / caller IP not in the app's trusted IPs
    40056: _PERMANENT,  # 不合法的 agentid / invalid agentid
    81013: _PERMANENT,  # UserID、部门ID、标签ID 全部非法或无权限 / every recipient invalid or out of scope
    82001: _PERMANENT,  # 指定的成员/部门/标签参数无权限 / no permission for the recipients named
    93000: _PERMANENT,  # 机器人 webhook 地址不合法 / invalid robot webhook key
}

#: DingTalk codes.
DINGTALK_ERRCODES: dict[int, Outcome] = {
    0: _OK,          # 请求成功 / request succeeded
    40014: _REFRESH,  # 不合法的 access_token / invalid access_token
    42001: _REFRESH,  # access_token 已过期 / access_token expired
    40001: _REFRESH,  # 获取 access_token 时 Secret 错误, 或者 access_token 无效 / bad secret or token
    33001: _REFRESH,  # 无效的企业 ID (请确认 access_token 是否正确) / invalid corp id: check the token
    -1: _RETRY,      # 系统繁忙, 稍后重试 1 次, 最多 3 次 / system busy, retry at most 3 times
    90002: _RETRY,   # 所有企业调用该接口超过最高频率, 限流 / the API's global rate limit, throttled
    90019: _RETRY,   # 应用对授权企业调用接口超过限流 (每秒) / this app's per-second limit for the org
    130101: _RETRY,  # send too fast, exceed 20 times per minute: 机器人限流 10 分钟 / robot throttled 10 min
    # 143103/143104: work notifications over the per-minute limit, "retry later" (from PLATFORMS.md; the
    # global page does not list them, the work-notification page's error table does).
    143103: _RETRY,  # 调用太频繁, 请稍后重试 / calling too fast, retry later
    143104: _RETRY,  # 调用太频繁, 请稍后重试 / calling too fast, retry later
    310000: _PERMANENT,  # 机器人安全设置不匹配 (sign/keyword/ip) / robot security setting mismatch
    300001: _PERMANENT,  # 机器人 token 为空或不存在 / robot token missing or unknown
    300005: _PERMANENT,  # 机器人 token 不存在 / robot token does not exist
    460101: _PERMANENT,  # 消息长度超过限制 / message too long
    90020: _PERMANENT,  # 企业本月 API 调用量已超过限制 / the org's monthly API quota is used up: alerted
}

#: DingTalk's v1.0 API (``api.dingtalk.com``) answers failures as HTTP 4xx ``{"code", "message", "requestid"}`` with
#: string codes (新版服务端 API 错误码). A code not listed is looked up by its dotted prefixes, longest first
#: (``Throttling.Api`` -> ``Throttling``); nothing matching is permanent. Each entry says where its code and meaning
#: were confirmed (checked against stored copies of DingTalk's pages and of public clients' issues, 2026-12);
#: "gateway convention" marks the Alibaba Cloud API gateway's common codes (help.aliyun.com's error tables:
#: MissingParameter, InvalidParameter, Throttling, ServiceUnavailable), which api.dingtalk.com runs behind (its
#: answers carry ``x-acs-request-id``) but which no stored DingTalk page lists: kept, not confirmed.
DINGTALK_V1_CODES: dict[str, Outcome] = {
    # HTTP 400 (not 401) "不合法的access_token": seen answered so in satorijs/satori#240 and
    # alibabacloud-sdk-php/dingtalk#1. A token another process replaced, or one past its 7200 s.
    "InvalidAuthentication": _REFRESH,
    # 缺少 access_token: the header was not sent. Not confirmed in any stored page; fetching a token is the only
    # thing that can help, so it is treated as an invalid one.
    "MissingAuthentication": _REFRESH,
    # Gateway convention (help.aliyun.com: "Request was denied due to request throttling").
    "Throttling": _RETRY,
    # 附录B: 如何处理钉钉服务端API限流 (open.dingtalk.com .../how-to-process-api-throttling-on-the-dingtalk-server):
    # one app over one API's QPS (old API: 90018), and every app together over the API's global QPS (old: 90002);
    # both last a second ("sleep 1秒").
    "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": _RETRY,
    "Forbidden.AccessDenied.QpsLimitForApi": _RETRY,
    # The per-minute limit of one app on one API ("触发了QPM限流"): a client library's code table
    # (DingTalk.VxAPI.ErrorCode, Haskell); not in the stored DingTalk pages.
    "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": _RETRY,
    # 附录B: a standard-edition organisation's monthly call quota is used up (old API: 90020): nothing but an
    # upgrade or next month helps, so permanent and alerted as a spent quota, as 90020 is.
    "Forbidden.AccessDenied.ApiCountLimitForOrg": _PERMANENT,
    # HTTP 403 "应用尚未开通所需的权限：[scope]": the app lacks the API's permission (many public clients special-case
    # it, e.g. TopIAM's DingTalkConfigValidator). An operator must grant it.
    "Forbidden.AccessDenied.AccessTokenPermissionDenied": _PERMANENT,
    # "访问ip不在白名单之中": the server's IP is not in the app's allow-list (CoPaw's DingTalk channel docs).
    "Forbidden.AccessDenied.IpNotInWhiteList": _PERMANENT,
    # Every other refusal under Forbidden.AccessDenied: permissions and allow-lists, which retrying cannot change.
    "Forbidden.AccessDenied": _PERMANENT,
    # Gateway convention: the service is down for a moment.
    "ServiceUnavailable": _RETRY,
    # HTTP 400 "未知的系统错误" (MAyang38/dify-on-dingding-go#3, from the card API): DingTalk's own failure.
    "system.error": _RETRY,
    # Not confirmed in any stored page (the gateway's own is InternalError); kept as written, a transient failure.
    "SystemError": _RETRY,
    # Gateway convention: a parameter is invalid / missing (HTTP 400); the request itself must change.
    "InvalidParameter": _PERMANENT,
    "MissingParameter": _PERMANENT,
    # /v1.0/oauth2/accessToken's error table (获取企业内部应用的accessToken): HTTP 400 "无效的clientId或者clientSecret".
    # It was listed as ``InvalidAppKeyOrSecret``, a code DingTalk does not answer.
    "invalidClientIdOrSecret": _PERMANENT,
}

#: The shortest sensible wait (seconds) for v1.0 codes that throttle us: a second for the QPS limits (附录B), a
#: minute for the per-minute one.
V1_RETRY_AFTER: dict[str, float] = {"Throttling": 1.0, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": 1.0,
                                    "Forbidden.AccessDenied.QpsLimitForApi": 1.0,
                                    "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": 60.0}
#: v1.0 codes that say a quota is spent, and its window (as :data:`QUOTA_CODES` for errcodes).
V1_QUOTA_CODES: dict[str, str] = {"Forbidden.AccessDenied.ApiCountLimitForOrg": "month"}

ERRCODE_TABLES: dict[str, dict[int, Outcome]] = {
    "wechat": WECHAT_ERRCODES,
    "wecom": WECOM_ERRCODES,
    "dingtalk": DINGTALK_ERRCODES,
}

#: The shortest sensible wait (seconds) for codes that mean "you are rate limited for a while".
#: WeCom blocks a per-hour limit for 60 minutes and a per-day one until the next day; an app's 45009 on
#: ``message/send`` is its daily send cap (账号上限数*200 人次/天) or the hourly API cap, so it waits an hour
#: (a daily block is outlasted by the next tries, within the budget's age).
RETRY_AFTER: dict[str, dict[int, float]] = {
    "wecom": {45009: 3600.0},
    "dingtalk": {130101: 60.0, 143103: 60.0, 143104: 60.0},
}


@dataclass(frozen=True)
class EndpointRule:
    """What a code means on one endpoint when it means something else there than elsewhere."""

    outcome: Outcome
    retry_after: float | None = None
    quota: str | None = None


#: ``(platform, path prefix) -> {errcode: rule}``: the same code names another limit on another endpoint.
ENDPOINT_RULES: dict[tuple[str, str], dict[int, EndpointRule]] = {
    # The group robot: 20 messages a minute per robot; WeCom blocks a per-minute limit for 60 s.
    ("wecom", "/cgi-bin/webhook/"): {45009: EndpointRule(_RETRY, 60.0)},
}

#: Quotas: once spent, nothing on the account gets through for the rest of the window (``day`` or ``month``),
#: so an operator must hear of it (a metric, the admin banner, a webhook event).
QUOTA_CODES: dict[str, dict[int, str]] = {
    "wechat": {45009: "day"},
    "wecom": {45009: "day"},
    "dingtalk": {90020: "month"},
}


def _endpoint_rule(platform: str, errcode: int, path: str) -> EndpointRule | None:
    for (rule_platform, prefix), rules in ENDPOINT_RULES.items():
        if rule_platform == platform and path.startswith(prefix) and errcode in rules:
            return rules[errcode]
    return None


def classify_errcode(platform: str, errcode: int, path: str = "") -> Outcome:
    """Map a platform's errcode (answered on ``path``) to an :class:`Outcome`; unknown codes are permanent."""
    try:
        table = ERRCODE_TABLES[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}") from None
    rule = _endpoint_rule(platform, errcode, path)
    return rule.outcome if rule else table.get(errcode, Outcome.PERMANENT)


def retry_after_for(platform: str, errcode: int | None, path: str = "") -> float | None:
    """How long to wait before retrying ``errcode``, when the platform's rules say so."""
    if errcode is None:
        return None
    rule = _endpoint_rule(platform, errcode, path)
    if rule is not None:
        return rule.retry_after
    return RETRY_AFTER.get(platform, {}).get(errcode)


def quota_for(platform: str, errcode: int | None, path: str = "") -> str | None:
    """The window (``day``, ``month``) of the quota ``errcode`` says is spent, or None."""
    if errcode is None:
        return None
    rule = _endpoint_rule(platform, errcode, path)
    if rule is not None:
        return rule.quota
    return QUOTA_CODES.get(platform, {}).get(errcode)


def _v1_lookup(table: dict[str, Any], code: str) -> Any:
    parts = code.split(".")
    for end in range(len(parts), 0, -1):
        found = table.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def classify_code(code: str) -> Outcome:
    """Map a DingTalk v1.0 ``code`` to an :class:`Outcome`, by the code or its longest listed dotted prefix."""
    return _v1_lookup(DINGTALK_V1_CODES, code) or Outcome.PERMANENT


class PlatformError(Exception):
    """A platform API call failed.

    :param platform: ``"wechat"``, ``"wecom"`` or ``"dingtalk"``.
    :param errcode: the platform's code, or None when the failure happened below it (HTTP, network).
    :param errmsg: the platform's message, or a description of the transport failure.
    :param retry_after: seconds to wait before retrying, when the platform's rules say so.
    :param quota: ``day`` or ``month`` when the answer says the account's API quota for that window is spent.
    """

    outcome: Outcome = Outcome.PERMANENT
    #: The string code of an API that answers ``{code, message}`` (DingTalk v1.0), where ``errcode`` is None.
    code: str | None = None

    def __init__(self, platform: str, errcode: int | None, errmsg: str, retry_after: float | None = None,
                 quota: str | None = None) -> None:
        super().__init__(platform, errcode, errmsg, retry_after, quota)
        self.platform = platform
        self.errcode = errcode
        self.errmsg = errmsg
        self.retry_after = retry_after
        self.quota = quota
        #: The error answer's other ids (number or short text), when it names something: WeChat's 45065 carries
        #: the ``msg_id`` of the mass send that already went out with that clientmsgid.
        self.ids: dict[str, int | str] = {}

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

    def __init__(self, platform: str, errcode: None = None, errmsg: str = "", retry_after: float | None = None,
                 quota: None = None) -> None:
        super().__init__(platform, None, errmsg, retry_after)


class UnexpectedAnswer(RetryLaterError):
    """An answer in none of the endpoint's documented shapes: JSON without ``errcode``, a non-numeric errcode, an
    HTML page, a JSON list. Not a success (a robot message answered so was never delivered) and not understood,
    so it is retried with back-off; the answer's start (redacted) is in ``errmsg``, so the attempt keeps it.
    DingTalk's gateway answers flow control this way, HTTP 200 ``{"status": 1111, "wait": 5, "punish": "deny"}``:
    its ``wait`` is the ``retry_after``."""

    def __init__(self, platform: str, errcode: None = None, errmsg: str = "", retry_after: float | None = None,
                 quota: None = None) -> None:
        super().__init__(platform, None, errmsg, retry_after)


_ERROR_CLASSES: dict[Outcome, type[PlatformError]] = {
    Outcome.REFRESH_TOKEN: TokenExpiredError,
    Outcome.RETRY_LATER: RetryLaterError,
    Outcome.PERMANENT: PermanentError,
}


def error_for(platform: str, errcode: int, errmsg: str, path: str = "") -> PlatformError:
    """Build the exception for a failed answer on ``path``, with its class chosen by :func:`classify_errcode`."""
    outcome = classify_errcode(platform, errcode, path)
    if outcome is Outcome.OK:
        raise ValueError(f"errcode {errcode} is a success on {platform}, not an error")
    cls = _ERROR_CLASSES[outcome]
    return cls(platform, errcode, errmsg, retry_after_for(platform, errcode, path), quota_for(platform, errcode, path))


def error_for_code(platform: str, code: str, message: str, status: int, where: str = "") -> PlatformError:
    """Build the exception for a ``{code, message}`` answer (HTTP ``status``), classed by :func:`classify_code`.

    ``errcode`` stays None (the code is no number); the code is in ``code`` and leads ``errmsg``, so an attempt
    shows it."""
    cls = _ERROR_CLASSES[classify_code(code)]
    error = cls(platform, None, f"{where}: HTTP {status} {code}: {message}".lstrip(": "),
                _v1_lookup(V1_RETRY_AFTER, code), V1_QUOTA_CODES.get(code))
    error.code = code
    return error


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
