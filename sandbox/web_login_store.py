"""What the fake sign-in pages remember: codes handed out (single use, 5 minutes) and users' access tokens."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SignInCode:
    #: The app the code was made for (the website app's appid, the WeCom corp id, the DingTalk AppKey).
    app: str
    #: The openid (WeChat open platform, DingTalk) or userid (WeCom) it stands for.
    account: str
    unionid: str | None
    expires_at: float
    #: DingTalk: the name the user approved as (``nick``), and the organisation when ``corpid`` was in the scope.
    nick: str = ""
    corp_id: str | None = None


@dataclass
class WebLoginStore:
    codes: dict[str, SignInCode] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    #: The user's access token (WeChat open platform) -> (openid, unionid, expiry).
    user_tokens: dict[str, tuple[str, str | None, float]] = field(default_factory=dict)
    #: The user's access token (DingTalk ``userAccessToken``) -> (the code it was made from, expiry).
    dingtalk_tokens: dict[str, tuple[SignInCode, float]] = field(default_factory=dict)
