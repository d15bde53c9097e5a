"""Login's platform calls: minting pooled QR codes, and exchanging mini-program and website sign-in codes.

Both run in workers because the ingress never calls a platform. ``mint_login_codes`` is queued by the
scheduler's top-up, by an ``applyQrCode`` that found the pool low, and (one code) by one that found it empty;
``exchange_applet_code`` by a ``weChatApplet`` login, which waits for the answer on a Redis list.
"""

from __future__ import annotations

import logging
import secrets
import time

from core import tasks
from core.accounts import UnknownAccount
from core.clients import PlatformClients
from core.login import AppletExchanges, ExchangeAnswer, PooledCode, Provider, QrPool, WebLogins
from core.login.accounts import QrLoginOff, qr_login_account
from core.metrics import QR_CODES_MINTED
from platforms.errors import PermanentError, PlatformError, RetryLaterError
from platforms.wechat import WeChatClient
from workers.actors.declaration import ActorDef
from workers.context import ActorContext

log = logging.getLogger(f"imbridge.{__name__}")

#: The scene of every login code is this plus its key (the portal's scene handler claims the prefix).
LOGIN_SCENE_PREFIX = "login_"


def new_login_key() -> str:
    """A key nobody can guess: 128 random bits, 22 URL-safe characters (the scene stays under 64)."""
    return secrets.token_urlsafe(16)


def mint_code(client: WeChatClient, pool: QrPool, lifetime_seconds: int) -> PooledCode:
    """Ask WeChat for one temporary ``QR_STR_SCENE`` code and describe it for the pool.

    Its end is counted from just before the request, on the Redis clock, so it is never later than WeChat's.
    """
    key = new_login_key()
    started = pool.now()
    answer = client.qrcode.create_temporary(LOGIN_SCENE_PREFIX + key, lifetime_seconds)
    if not answer.get("url"):
        raise PermanentError("wechat", None, "qrcode/create answered without the code's url")
    life = min(lifetime_seconds, int(answer.get("expire_seconds") or lifetime_seconds))
    QR_CODES_MINTED.inc()
    return PooledCode(key, answer["ticket"], answer["url"], started + life)


def mint_login_codes(context: ActorContext, count: int, deadline: float | None = None,
                     account: str | None = None) -> None:
    """Mint up to ``count`` codes into ``account``'s pool (None: the default Official Account's) with that
    account's token, stopping once it holds ``login.pool-size``.

    Each code is pushed as soon as it exists, so a request waiting on the empty pool gets the first one.
    A top-up (no ``deadline``) releases the one-top-up-at-a-time marker when it ends. An on-demand mint
    (one code for a request that found the pool empty) carries its request's ``deadline`` (epoch seconds)
    and is skipped once that has passed, so mints queued while no worker ran do not all reach WeChat later.
    An account removed, or whose QR login was turned off, since the mint was queued gets none.
    """
    current = context.runtime
    config = current.settings.login
    if deadline is not None and time.time() > deadline:
        log.info("on-demand QR mint arrived after its request gave up; skipped")
        return
    pool = QrPool.from_settings(current.redis, config, account=account)
    try:
        try:
            qr_login_account(current.accounts, pool.account)
        except (UnknownAccount, QrLoginOff) as exc:
            log.warning("QR mint skipped: %s", exc)
            return
        client = current.clients.wechat_for(pool.account)
        for _ in range(max(1, count)):
            if pool.size() >= config.pool_size:
                break
            pool.add(mint_code(client, pool, config.pool_code_lifetime_seconds))
    finally:
        if deadline is None:
            pool.minting_done()


def exchange_applet_code(context: ActorContext, exchange_id: str, code: str, deadline: float,
                         account: str | None = None) -> None:
    """Exchange a ``wx.login`` code with mini-program ``account``'s app (None: the default) and push the
    openid/unionid (or the errcode) to the waiting request.

    A code works once, so a message that waited past ``deadline`` (epoch seconds; the request has answered
    already) is dropped unexchanged: the user's retry can still use the code. Not retried for the same reason.
    """
    if time.time() > deadline:
        log.warning("mini-program code exchange %s arrived after its request gave up; skipped", exchange_id)
        return
    current = context.runtime
    if current.accounts.get("wechat-applet", account) is None:  # removed since the request checked it
        AppletExchanges(current.redis).answer(exchange_id, ExchangeAnswer(errmsg=f"no mini-program '{account}'"))
        return
    try:
        session = current.clients.for_account(account).wechat_applet.jscode2session(code)
    except PlatformError as exc:
        answer = ExchangeAnswer(errcode=exc.errcode, errmsg=exc.errmsg,
                                retry_later=isinstance(exc, RetryLaterError))
    else:
        # The session_key stays here: it is neither stored, queued nor logged.
        answer = ExchangeAnswer(openid=session["openid"], unionid=session.get("unionid"))
    AppletExchanges(current.redis).answer(exchange_id, answer)


def web_account(clients: PlatformClients, provider: Provider, code: str) -> tuple[str, str | None]:
    """The account (and WeChat unionid) a website sign-in's code proves; PlatformError when it is refused.

    WeChat open platform: ``sns/oauth2/access_token`` (openid, unionid), then ``sns/userinfo`` for the
    profile's unionid when the grant had none. WeCom: ``auth/getuserinfo`` (userid, or openid for someone
    outside the corp). DingTalk: ``oauth2/userAccessToken``, then ``contact/users/me`` for the unionId (the
    account itself: it is no WeChat unionid). The user's access token stays here.
    """
    if provider is Provider.WECHAT_OPEN:
        client = clients.wechat_open
        grant = client.exchange_code(code)
        unionid = grant.get("unionid")
        if not unionid:
            unionid = str(client.userinfo(grant["access_token"], grant["openid"]).get("unionid") or "") or None
        return grant["openid"], unionid
    if provider is Provider.DINGTALK:
        sign_in = clients.dingtalk.sign_in
        return sign_in.me(sign_in.exchange_code(code).access_token)["unionId"], None
    answer = clients.wecom.auth_user(code)
    account = str(answer.get("userid") or answer.get("openid") or "")
    if not account:
        raise PermanentError("wecom", None, "auth/getuserinfo answered without userid or openid")
    return account, None


def exchange_web_code(context: ActorContext, provider: str, state: str, code: str) -> None:
    """Exchange a website sign-in's code (:func:`web_account`) and record the account, or the provider's
    refusal, on its state. A code works once, so nothing is retried; a state that expired meanwhile takes no
    answer.
    """
    current = context.runtime
    logins = WebLogins(current.redis, current.settings.login.web_login_seconds)
    try:
        account, unionid = web_account(current.clients, Provider(provider), code)
    except PlatformError as exc:
        said = f"{exc.errcode} {exc.errmsg}" if exc.errcode is not None else str(exc.errmsg or exc)
        log.info("website sign-in (%s): the provider refused the code: %s", provider, said)
        logins.refused(state, said)
        return
    except Exception:
        # Raised on, Dramatiq would log the message with its arguments (the code) and leave the browser waiting
        # until the state expires: the sign-in is refused at once instead, the error logged without the code.
        log.exception("website sign-in (%s): exchanging the code failed", provider)
        logins.refused(state, "the exchange failed")
        return
    if not logins.succeeded(state, account, unionid):
        log.info("website sign-in (%s): the state expired before the code was exchanged", provider)


ACTORS = [
    ActorDef(tasks.MINT_LOGIN_CODES, mint_login_codes, {"max_retries": 2, "min_backoff": 500, "max_backoff": 2000}),
    ActorDef(tasks.EXCHANGE_APPLET_CODE, exchange_applet_code, {"max_retries": 0}),
    ActorDef(tasks.EXCHANGE_WEB_CODE, exchange_web_code, {"max_retries": 0}),
]
