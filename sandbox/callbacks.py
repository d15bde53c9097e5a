"""The other direction: the sandbox acting as WeChat or WeCom posting callbacks to our ingress.

Requests are built exactly as the platforms build them: WeChat puts ``signature``, ``timestamp``, ``nonce`` and
``openid`` in the query and, in safe mode, ``encrypt_type=aes`` and ``msg_signature`` with a
``<xml><ToUserName/><Encrypt/></xml>`` body; WeCom always encrypts, signs with ``msg_signature`` only and adds
``AgentID``. QR-login scans come in the platform's two shapes, the very difference the seed system got wrong:
a new follower's ``subscribe`` with EventKey ``qrscene_login_<key>``, an existing follower's ``SCAN`` with the
bare ``login_<key>``. Signatures and crypto are the sandbox's own (:mod:`sandbox.crypto`), never the SDK's, so the
ingress is checked against an independent reading of the platforms' rules.

Example::

    response = scan("http://127.0.0.1:8000", settings, key="k1", existing=True)
    reply = read_reply(response, settings)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from config import Settings
from sandbox.crypto import SafeMode, Signer
from sandbox.flat_xml import parse_xml, render_xml

#: The openid ``imbridge sandbox scan`` / ``say`` use when none is given.
DEMO_OPENID = "oDemoFollower000000000000001"
#: The WeCom member ``wecom_say`` uses when none is given.
DEMO_WECOM_USER = "demo.user"
WECHAT_PORTAL = "/wechat/portal"
WECOM_PORTAL = "/wecom/portal"


@dataclass(frozen=True)
class CallbackRequest:
    """One callback as the platform would send it: query parameters and XML body."""

    params: dict[str, str]
    body: str


def as_account(settings: Settings, account: str | None) -> Settings:
    """``settings`` as the sandbox plays account ``account`` (a code of ``third.accounts``): that account's
    ``wechat`` and ``wecom`` entries in place of the seed's blocks; None or ``default``: ``settings`` itself.

    :raises ValueError: no WeChat or WeCom account of the config has that code.
    """
    if account in (None, "default"):
        return settings
    found = {entry.platform: entry for entry in settings.third.accounts if entry.code == account}
    if "wechat" not in found and "wecom" not in found:
        raise ValueError(f"no wechat or wecom account in third.accounts has the code '{account}'")
    third = settings.third.model_copy(update={
        section: type(getattr(settings.third, section)).model_validate(
            found[section].model_dump(exclude={"code", "platform"}))
        for section in ("wechat", "wecom") if section in found})
    return settings.model_copy(update={"third": third})


def portal_path(platform: str, account: str | None = None) -> str:
    """``/wechat/portal``, or ``/wechat/portal/<account>`` for an account that is not the default."""
    base = WECHAT_PORTAL if platform == "wechat" else WECOM_PORTAL
    return base if account in (None, "default") else f"{base}/{account}"


def original_id(settings: Settings) -> str:
    """The account's original id (``gh_...``), the ToUserName of every WeChat callback."""
    app_id = settings.third.wechat.app_id or ""
    return "gh_" + hashlib.sha1(app_id.encode()).hexdigest()[:12]


def wechat_signer(settings: Settings) -> Signer:
    """The account's token signature: all a plaintext-mode callback needs (the account may have no AES key)."""
    wechat = settings.third.wechat
    if not (wechat.token and wechat.app_id):
        raise ValueError("third.wechat needs app-id and token")
    return Signer(wechat.token)


def wechat_crypto(settings: Settings) -> SafeMode:
    wechat = settings.third.wechat
    if not (wechat.token and wechat.encoding_aes_key and wechat.app_id):
        raise ValueError("third.wechat needs app-id, token and encoding-aes-key")
    return SafeMode(wechat.token, wechat.encoding_aes_key, wechat.app_id)


def wecom_crypto(settings: Settings) -> SafeMode:
    wecom = settings.third.wecom
    if not (wecom.token and wecom.encoding_aes_key and wecom.corp_id):
        raise ValueError("third.wecom needs corp-id, token and encoding-aes-key")
    return SafeMode(wecom.token, wecom.encoding_aes_key, wecom.corp_id)


def _stamp(timestamp: str | None, nonce: str | None) -> tuple[str, str]:
    return timestamp or str(int(time.time())), nonce or str(secrets.randbelow(10**10))


# -- WeChat -----------------------------------------------------------------------------------------------

def build_wechat_callback(settings: Settings, fields: Mapping[str, Any], *, safe: bool = True,
                          timestamp: str | None = None, nonce: str | None = None) -> CallbackRequest:
    """The query and body WeChat would post for the message ``fields``."""
    timestamp, nonce = _stamp(timestamp, nonce)
    xml = render_xml(fields)
    params = {"signature": wechat_signer(settings).signature(timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce}
    if fields.get("FromUserName"):
        params["openid"] = str(fields["FromUserName"])
    if not safe:
        return CallbackRequest(params, xml)
    crypto = wechat_crypto(settings)
    encrypted = crypto.encrypt(xml)
    params.update(encrypt_type="aes", msg_signature=crypto.signature(timestamp, nonce, encrypted))
    body = render_xml({"ToUserName": fields.get("ToUserName", original_id(settings)), "Encrypt": encrypted})
    return CallbackRequest(params, body)


def _common(settings: Settings, openid: str, msg_type: str) -> dict[str, Any]:
    return {"ToUserName": original_id(settings), "FromUserName": openid, "CreateTime": int(time.time()),
            "MsgType": msg_type}


def text_fields(settings: Settings, text: str, openid: str = DEMO_OPENID) -> dict[str, Any]:
    return {**_common(settings, openid, "text"), "Content": text, "MsgId": secrets.randbits(63)}


def event_fields(settings: Settings, event: str, openid: str = DEMO_OPENID, **extra: Any) -> dict[str, Any]:
    """Any event: ``event_fields(settings, "CLICK", EventKey="menu_help")``."""
    return {**_common(settings, openid, "event"), "Event": event, **extra}


def scan_fields(settings: Settings, key: str, openid: str = DEMO_OPENID, *, existing: bool = False,
                ticket: str | None = None) -> dict[str, Any]:
    """A QR-login scan: ``SCAN`` + ``login_<key>`` for a follower, else ``subscribe`` + ``qrscene_login_<key>``."""
    ticket = ticket or base64.b64encode(secrets.token_bytes(72)).decode()
    if existing:
        return event_fields(settings, "SCAN", openid, EventKey=f"login_{key}", Ticket=ticket)
    return event_fields(settings, "subscribe", openid, EventKey=f"qrscene_login_{key}", Ticket=ticket)


def post_wechat_event(ingress_url: str, settings: Settings, xml_fields: Mapping[str, Any], safe: bool = True,
                      *, client: httpx.Client | None = None, timeout: float = 5.0,
                      account: str | None = None) -> httpx.Response:
    """POST a WeChat callback to ``<ingress>/wechat/portal`` (WeChat itself gives up after 5 s), or to
    ``/wechat/portal/<account>`` signed with that account's token and key."""
    request = build_wechat_callback(as_account(settings, account), xml_fields, safe=safe)
    return _post(ingress_url + portal_path("wechat", account), request, client, timeout)


def find_code(sandbox_url: str, scene: str, client: httpx.Client | None = None) -> dict[str, Any] | None:
    """The newest live code the sandbox issued for ``scene`` (its ``ticket``, ``app_id``...), or None."""
    try:
        response = (client or httpx).get(f"{sandbox_url}/_sandbox/wechat/qrcodes", params={"scene": scene})
        codes = response.json().get("qrcodes", [])
    except (httpx.HTTPError, ValueError):
        return None
    return codes[-1] if codes else None


def find_ticket(sandbox_url: str, scene: str, client: httpx.Client | None = None) -> str | None:
    """The newest live ticket the sandbox issued for ``scene`` (what a phone reads from the QR code)."""
    found = find_code(sandbox_url, scene, client)
    return found["ticket"] if found else None


def account_of_app(settings: Settings, app_id: str | None) -> str | None:
    """The code of the ``third.accounts`` Official Account with ``app_id`` (None: the default, or unknown)."""
    return next((a.code for a in settings.third.accounts if a.platform == "wechat" and a.app_id == app_id), None)


def scan(ingress_url: str, settings: Settings, key: str, openid: str = DEMO_OPENID, *, existing: bool = False,
         safe: bool = True, ticket: str | None = None, sandbox_url: str | None = None,
         client: httpx.Client | None = None, account: str | None = None) -> httpx.Response:
    """Scan the login QR code for ``key``; the ticket is looked up in the sandbox when ``sandbox_url`` is given.
    A code of account ``account`` (one of ``third.accounts``; None: whichever account the sandbox says made it,
    else the default) is reported to that account's portal, as WeChat reports a scan to the account that made the
    code."""
    if ticket is None and sandbox_url:
        found = find_code(sandbox_url, f"login_{key}", client)
        ticket = found["ticket"] if found else None
        if account is None and found:
            account = account_of_app(settings, found.get("app_id"))
    fields = scan_fields(as_account(settings, account), key, openid, existing=existing, ticket=ticket)
    if sandbox_url:
        tell_sandbox_of_interaction(sandbox_url, openid, client)
    return post_wechat_event(ingress_url, settings, fields, safe, client=client, account=account)


def say(ingress_url: str, settings: Settings, text: str, openid: str = DEMO_OPENID, *, safe: bool = True,
        sandbox_url: str | None = None, client: httpx.Client | None = None,
        account: str | None = None) -> httpx.Response:
    """A follower sends ``text`` to the account (``account``: one of ``third.accounts``, through its portal)
    (and, with ``sandbox_url``, the fake WeChat learns they wrote, so the account may answer with
    customer-service messages for 48 hours)."""
    if sandbox_url:
        tell_sandbox_of_interaction(sandbox_url, openid, client)
    fields = text_fields(as_account(settings, account), text, openid)
    return post_wechat_event(ingress_url, settings, fields, safe, client=client, account=account)


def tell_sandbox_of_interaction(sandbox_url: str, openid: str, client: httpx.Client | None = None) -> None:
    """Open ``openid``'s customer-service window in the sandbox; a sandbox that is not running is no error."""
    url = f"{sandbox_url.rstrip('/')}/_sandbox/wechat/interactions"
    with contextlib.suppress(httpx.HTTPError):
        (client or httpx).post(url, json={"openid": openid}, timeout=5)


def verify_wechat(ingress_url: str, settings: Settings, *, client: httpx.Client | None = None) -> tuple[bool, str]:
    """WeChat's server-configuration check (GET); True when the ingress echoes ``echostr`` back."""
    crypto = wechat_signer(settings)
    timestamp, nonce = _stamp(None, None)
    echostr = str(secrets.randbits(63))
    params = {"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "echostr": echostr}
    response = (client or httpx).get(ingress_url + WECHAT_PORTAL, params=params, timeout=5.0)
    return response.text == echostr, response.text


# -- WeCom ------------------------------------------------------------------------------------------------

def build_wecom_callback(settings: Settings, fields: Mapping[str, Any], *, timestamp: str | None = None,
                         nonce: str | None = None) -> CallbackRequest:
    """The query and body WeCom would post (always encrypted, ReceiveId = corp id)."""
    crypto = wecom_crypto(settings)
    timestamp, nonce = _stamp(timestamp, nonce)
    encrypted = crypto.encrypt(render_xml(fields))
    body = render_xml({"ToUserName": settings.third.wecom.corp_id, "Encrypt": encrypted,
                       "AgentID": str(settings.third.wecom.agent_id)})
    params = {"msg_signature": crypto.signature(timestamp, nonce, encrypted), "timestamp": timestamp,
              "nonce": nonce}
    return CallbackRequest(params, body)


def wecom_text_fields(settings: Settings, text: str, userid: str = DEMO_WECOM_USER) -> dict[str, Any]:
    return {"ToUserName": settings.third.wecom.corp_id, "FromUserName": userid, "CreateTime": int(time.time()),
            "MsgType": "text", "Content": text, "MsgId": secrets.randbits(63),
            "AgentID": settings.third.wecom.agent_id}


def post_wecom_event(ingress_url: str, settings: Settings, xml_fields: Mapping[str, Any], *,
                     client: httpx.Client | None = None, timeout: float = 5.0,
                     account: str | None = None) -> httpx.Response:
    request = build_wecom_callback(as_account(settings, account), xml_fields)
    return _post(ingress_url + portal_path("wecom", account), request, client, timeout)


def wecom_say(ingress_url: str, settings: Settings, text: str, userid: str = DEMO_WECOM_USER, *,
              client: httpx.Client | None = None, account: str | None = None) -> httpx.Response:
    fields = wecom_text_fields(as_account(settings, account), text, userid)
    return post_wecom_event(ingress_url, settings, fields, client=client, account=account)


def verify_wecom(ingress_url: str, settings: Settings, *, client: httpx.Client | None = None) -> tuple[bool, str]:
    """WeCom's URL check: an encrypted echostr whose plaintext the ingress must answer."""
    crypto = wecom_crypto(settings)
    timestamp, nonce = _stamp(None, None)
    plain = str(secrets.randbits(63))
    echostr = crypto.encrypt(plain)
    params = {"msg_signature": crypto.signature(timestamp, nonce, echostr), "timestamp": timestamp,
              "nonce": nonce, "echostr": echostr}
    response = (client or httpx).get(ingress_url + WECOM_PORTAL, params=params, timeout=5.0)
    return response.text == plain, response.text


# -- replies ----------------------------------------------------------------------------------------------

def read_reply(response: httpx.Response, settings: Settings, platform: str = "wechat") -> dict[str, str] | None:
    """The passive reply's fields (decrypted and signature-checked when encrypted); None for "no reply".

    :raises ValueError: the reply is encrypted but its MsgSignature does not match.
    """
    text = response.text.strip()
    if not text or text == "success":
        return None
    fields = parse_xml(text)
    if "Encrypt" not in fields:
        return fields
    crypto = wechat_crypto(settings) if platform == "wechat" else wecom_crypto(settings)
    expected = crypto.signature(fields.get("TimeStamp", ""), fields.get("Nonce", ""), fields["Encrypt"])
    if expected != fields.get("MsgSignature"):
        raise ValueError("reply MsgSignature does not match")
    return parse_xml(crypto.decrypt(fields["Encrypt"]))


def _post(url: str, request: CallbackRequest, client: httpx.Client | None, timeout: float) -> httpx.Response:
    headers = {"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"}
    sender = client or httpx
    return sender.post(url, params=request.params, content=request.body.encode(), headers=headers,
                       timeout=timeout)
