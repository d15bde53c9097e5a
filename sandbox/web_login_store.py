"""What the fake sign-in pages remember: codes handed out (single use, 5 minutes) and users' access tokens."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SignInCode:
    #: The app the code was made for (the website app's appid, or the WeCom corp id).
    app: str
    #: The openid (WeChat open platform) or userid (WeCom) it stands for.
    account: str
    unionid: str | None
    expires_at: float


@dataclass
class WebLoginStore:
    codes: dict[str, SignInCode] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    #: The user's access token (WeChat open platform) -> (openid, unionid, expiry).
    user_tokens: dict[str, tuple[str, str | None, float]] = field(default_factory=dict)
