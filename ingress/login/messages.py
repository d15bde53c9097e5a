"""What the seed's login paths tell a person when they fail: one numeric code each, its text in 简体中文 and English.

The seed's front end shows ``msg`` as it is, so the text is for the person at the browser (the details a
developer needs go to the log under the answer's ``traceId``). Chinese is the default, as in the seed; a
request whose ``Accept-Language`` prefers English gets English. The numbers are part of the contract
(README, "Failure codes"): the seed's own common codes where it has one, imbridge's login codes from 10101.

Example::

    message(Code.RATE_LIMITED, language("en-GB,en;q=0.9"), seconds=5)
"""


from __future__ import annotations

import enum
from typing import Literal

from ingress.i18n import negotiate

Language = Literal["zh", "en"]

#: The language of a request that names none imbridge speaks.
DEFAULT_LANGUAGE: Language = "zh"


class Code(enum.IntEnum):
    """The ``code`` of an answer; 0 is success, anything else a failure the client shows ``msg`` for."""

    SUCCESS = 0
    #: The seed's catch-all failure (``CommonCode.FAIL_CODE``).
    FAILED = 1
    #: The seed's ``CommonErrorCode`` numbers.
    SYSTEM_ERROR = 10001
    NOT_LOGGED_IN = 10004
    BAD_REQUEST_BODY = 10005
    INVALID_PARAMETER = 10006
    METHOD_NOT_ALLOWED = 10011
    #: imbridge's login codes.
    NOT_SCANNED = 10101
    QR_KEY_EXPIRED = 10102
    NOT_BOUND = 10103
    USER_DISABLED = 10104
    BOUND_ELSEWHERE = 10105
    RATE_LIMITED = 10106
    NOT_CONFIGURED = 10107
    APPLET_CODE_REFUSED = 10108
    USER_BLOCKED = 10109
    TRY_AGAIN = 10110
    #: Website sign-in (WeChat open platform, WeCom).
    STATE_INVALID = 10111
    OTHER_BROWSER = 10112
    WEB_CODE_REFUSED = 10113
    WEB_PENDING = 10114
    #: Several accounts: the ``account`` named is no account of the kind the login needs.
    UNKNOWN_ACCOUNT = 10115
    #: Website sign-in: the provider sent the browser back without a code (the person declined or cancelled).
    WEB_SIGN_IN_DECLINED = 10116


#: code -> (简体中文, English); ``{name}`` fields are filled in by :func:`message`.
MESSAGES: dict[Code, tuple[str, str]] = {
    Code.SUCCESS: ("success", "success"),
    Code.FAILED: ("请求失败", "The request failed"),
    Code.SYSTEM_ERROR: ("系统错误，请稍后重试", "System error; please try again later"),
    Code.NOT_LOGGED_IN: ("未登录或登录已失效，请重新登录",
                         "Not logged in, or the login has expired; please log in again"),
    Code.BAD_REQUEST_BODY: ("请求内容无法解析：请用查询参数、表单或 JSON 传参",
                            "The request body cannot be read: send parameters in the query string, a form or JSON"),
    Code.INVALID_PARAMETER: ("参数缺失或无效：{fields}", "Missing or invalid parameter: {fields}"),
    Code.METHOD_NOT_ALLOWED: ("不支持该请求方法", "This request method is not supported here"),
    Code.NOT_SCANNED: ("二维码尚未扫描，请先用微信扫码",
                       "The QR code has not been scanned yet; scan it with WeChat first"),
    Code.QR_KEY_EXPIRED: ("二维码已过期或已使用，请重新获取二维码",
                          "The QR code has expired or was used already; get a new one"),
    Code.NOT_BOUND: ("该{account}尚未绑定用户，请先绑定后再登录",
                     "This {account} is not bound to any user; bind it first, then log in"),
    Code.USER_DISABLED: ("该用户已被停用", "This user is disabled"),
    Code.BOUND_ELSEWHERE: ("该{account}已绑定其他用户", "This {account} is bound to another user"),
    Code.RATE_LIMITED: ("操作过于频繁，请 {seconds} 秒后再试", "Too many requests; try again in {seconds} s"),
    Code.NOT_CONFIGURED: ("未配置微信登录，请联系管理员", "WeChat login is not configured; ask the administrator"),
    Code.APPLET_CODE_REFUSED: ("小程序登录凭证无效或已过期，请重新登录",
                               "The mini-program login code is invalid or expired; log in again"),
    Code.USER_BLOCKED: ("微信拒绝了该用户的登录", "WeChat refused this user's login"),
    Code.TRY_AGAIN: ("服务繁忙，请稍后重试", "The service is busy; please try again shortly"),
    Code.STATE_INVALID: ("登录请求无效、已使用或已过期，请重新登录",
                         "This sign-in is unknown, was used already or has expired; sign in again"),
    Code.OTHER_BROWSER: ("请在发起登录的同一浏览器中完成登录",
                         "Finish the sign-in in the same browser that started it"),
    Code.WEB_CODE_REFUSED: ("登录平台拒绝了授权码，请重新登录",
                            "The sign-in platform refused the authorization code; sign in again"),
    Code.WEB_PENDING: ("登录尚未完成，请稍候", "The sign-in is not finished yet; please wait"),
    Code.UNKNOWN_ACCOUNT: ("账号“{account_code}”不存在，请检查参数 account",
                           "There is no account '{account_code}'; check the account parameter"),
    Code.WEB_SIGN_IN_DECLINED: ("登录已取消：未在登录平台上授权，请重新登录",
                                "The sign-in was cancelled on the platform's page; sign in again"),
}


#: What the person signed in with, by binding platform, for ``{account}``: a DingTalk or WeCom user must not be
#: told their "WeChat account" is not bound. WeChat's is the default (the QR login, the seed's own).
ACCOUNTS: dict[str, tuple[str, str]] = {
    "wechat": ("微信账号", "WeChat account"), "wechat_applet": ("微信账号", "WeChat account"),
    "wechat_open": ("微信账号", "WeChat account"), "wecom": ("企业微信账号", "WeCom account"),
    "dingtalk": ("钉钉账号", "DingTalk account"),
}


def account_name(platform: str | None, lang: Language) -> str:
    """How the ``{account}`` of a message names the account of ``platform`` (a binding platform) in ``lang``."""
    zh, en = ACCOUNTS.get(platform or "", ACCOUNTS["wechat"])
    return en if lang == "en" else zh


def language(accept_language: str | None) -> Language:
    """``en`` when the header ranks English above Chinese (or names English and not Chinese), else ``zh``: the
    seed's paths speak Chinese first (the API elsewhere defaults to English, see :mod:`ingress.i18n`)."""
    return "en" if negotiate(accept_language, ("zh-CN", "en"), default="zh-CN") == "en" else "zh"


def message(code: Code, lang: Language, **fields: object) -> str:
    """The text of ``code`` in ``lang``, its ``{name}`` fields filled in (a missing one reads ``?``)."""
    zh, en = MESSAGES.get(code, MESSAGES[Code.FAILED])
    template = en if lang == "en" else zh
    return template.format_map(_Fields({"account": account_name(None, lang), **fields}))


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "?"
