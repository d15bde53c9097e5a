"""The browser's side of a website sign-in (WeChat open platform, WeCom, DingTalk), shared by the login suite's
modules.

The ingress is a falcon test client; the provider's sign-in page is the sandbox, reached over HTTP, where the
user picks "approve as <user>" and is redirected back with a code (DingTalk calls it ``authCode``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from ingress.login.web import COOKIE


@dataclass(frozen=True)
class Return:
    """Where the provider sent the browser back: the callback's path and query, and the browser's cookie."""

    path: str
    code: str
    state: str
    cookie: str


def start(client, provider: str) -> tuple[str, str]:
    """Start a sign-in: the provider's sign-in URL and the cookie the browser got."""
    started = client.simulate_get(f"/token/{provider}/authorize")
    assert started.status_code == 302, started.text
    cookie = started.cookies[COOKIE]
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/"
    return started.headers["Location"], cookie.value


def approve(sign_in_url: str, user: str) -> tuple[str, str, str]:
    """The user approves on the provider's page: the callback path, code and state it redirects to."""
    page = httpx.get(sign_in_url.split("#", 1)[0], timeout=10)
    assert page.status_code == 200, page.text
    links = [html.unescape(href) for href in re.findall(r'class="approve" href="([^"]+)"', page.text)]
    assert links, page.text
    back = httpx.get(httpx.URL(sign_in_url).join(links[0]).copy_set_param("user", user), timeout=10)
    assert back.status_code == 302, back.text
    target = urlsplit(back.headers["location"])
    query = {name: values[0] for name, values in parse_qs(target.query).items()}
    return target.path, query.get("authCode") or query["code"], query["state"]


def sign_in(client, provider: str, user: str) -> Return:
    """Start, then approve as ``user``: where the browser comes back to (not followed yet)."""
    url, cookie = start(client, provider)
    path, code, state = approve(url, user)
    return Return(path, code, state, cookie)


def code_param(path: str) -> str:
    """The query parameter the provider's redirect names the code: DingTalk's ``authCode``, else ``code``."""
    return "authCode" if path.startswith("/token/dingtalk/") else "code"


def callback(client, back: Return, *, cookie: str | None = "same", code: str | None = None):
    """The browser follows the provider's redirect (with its own cookie, another one, or none)."""
    cookies = {COOKIE: back.cookie if cookie == "same" else cookie} if cookie else None
    return client.simulate_get(back.path, params={code_param(back.path): code or back.code, "state": back.state},
                               cookies=cookies)


def web_status(client, state: str, wait: int = 10) -> str:
    answer = client.simulate_get("/token/web/status", params={"state": state, "wait": str(wait)})
    assert answer.json["code"] == 0, answer.text
    return answer.json["data"]


def web_login(client, login_type: str, state: str, cookie: str | None):
    """``POST /token/login`` as the waiting page sends it (query string), with the browser's cookie."""
    return client.simulate_post("/token/login", params={"loginType": login_type, "authCode": state},
                                cookies={COOKIE: cookie} if cookie else None)
