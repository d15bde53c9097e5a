"""The client: send notifications (one, a batch, or one message to many targets), follow them to their outcome.

Every send carries an idempotency key (a fresh one unless you give yours), so sending again after a timeout or a
dropped connection is safe: the server answers with the first record and sends once. ``send`` retries such
transport failures itself (``retries``).

    with Client("http://127.0.0.1:8000", api_key) as imbridge:
        accepted = imbridge.send(dingtalk_robot("ops").markdown("Deploy", "**crm** is live"))
        record = imbridge.wait(accepted.id)          # sent, failed or dead
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import httpx

from imbridge_client.errors import ApiError, ImbridgeError, WaitTimeout
from imbridge_client.messages import JSON, Notification

#: A notification's statuses that no longer change (short of an operator's retry).
FINAL_STATUSES = frozenset({"sent", "failed", "dead"})
#: A group's overall statuses that no longer change: every target final.
GROUP_FINAL_STATUSES = frozenset({"sent", "failed", "partial"})
#: The outcomes a callback subscription may ask for.
OUTCOMES = ("sent", "failed", "dead")


@dataclass(frozen=True)
class Accepted:
    """What the server answered to a send: the record's ``id`` and ``status``; ``replayed`` when the idempotency
    key was seen before (the first record's answer, nothing sent again)."""

    id: str
    status: str
    replayed: bool = False


@dataclass(frozen=True)
class Message:
    """One message for many channels (fan-out): plain text or markdown, shaped for each target's platform."""

    format: str
    text: str | None = None
    title: str | None = None

    @classmethod
    def text_only(cls, text: str) -> Message:
        return cls("text", text)

    @classmethod
    def markdown(cls, title: str, text: str) -> Message:
        """``title`` is what DingTalk shows in the chat list; WeCom shows the text alone."""
        return cls("markdown", text, title)

    def json(self) -> JSON:
        return {k: v for k, v in (("format", self.format), ("title", self.title), ("text", self.text))
                if v is not None}


@runtime_checkable
class Destination(Protocol):
    """A channel builder (``dingtalk_robot("ops")``, ``wecom_app(users=[...])``): knows where, not what."""

    def target(self) -> JSON: ...


#: A fan-out target: a channel builder, a :class:`Notification` bringing its own message, or the JSON itself.
Target = Destination | Notification | Mapping[str, Any]


def _target(target: Target) -> JSON:
    if isinstance(target, Notification) and target.reply_to is not None:
        # The server refuses it too (422 ``targets.N.replyTo``): a reply answers one inbound message, not a crowd.
        raise ValueError("a reply (reply_to(...)) cannot be a fan-out target: send it on its own")
    if isinstance(target, Notification):
        return {**target.target(), "message": target.message}
    if isinstance(target, Mapping):
        return dict(target)
    if isinstance(target, Destination):
        return target.target()
    raise TypeError(f"not a fan-out target: {target!r}")


class Client:
    """An imbridge API client (``Authorization: Bearer <api key>``; a ``notify`` key suffices to send).

    ``timeout``: seconds for each HTTP request. ``retries``: how often a send is repeated after a transport
    failure (same idempotency key, so never twice on the platform). ``transport``: an httpx transport (tests).
    """

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0, retries: int = 2,
                 transport: httpx.BaseTransport | None = None, user_agent: str = "imbridge-client-python/0.1") -> None:
        self.retries = retries
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
                                 headers={"Authorization": f"Bearer {api_key}", "User-Agent": user_agent})

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # Sending

    def send(self, notification: Notification | Mapping[str, Any], *,
             idempotency_key: str | None = None) -> Accepted:
        """Send one notification (a builder's :class:`Notification` or the REST body); 202 or a replay."""
        body = notification.to_request() if isinstance(notification, Notification) else dict(notification)
        key = idempotency_key or new_key()
        answer = self._post("/api/v1/notifications", body, key)
        data = answer.json()
        return Accepted(data["id"], data["status"], answer.headers.get("idempotent-replayed") == "true")

    def send_batch(self, notifications: Sequence[Notification | Mapping[str, Any]], *,
                   idempotency_keys: Sequence[str] | None = None) -> list[Accepted]:
        """Send many at once: all accepted or none (an :class:`ApiError` 422 lists every item's problems, each
        field starting ``notifications.<index>``). Each item gets an idempotency key (fresh, or yours in order)."""
        keys = list(idempotency_keys) if idempotency_keys is not None else [new_key() for _ in notifications]
        if len(keys) != len(notifications):
            raise ValueError("one idempotency key per notification")
        items = [{**(n.to_request() if isinstance(n, Notification) else dict(n)), "idempotency_key": k}
                 for n, k in zip(notifications, keys, strict=True)]
        data = self._post("/api/v1/notifications/batch", {"notifications": items}, None).json()
        return [Accepted(item["id"], item["status"]) for item in data["notifications"]]

    def send_group(self, targets: Iterable[Target], message: Message | None = None, *,
                   template: tuple[str, Mapping[str, Any]] | None = None,
                   idempotency_key: str | None = None) -> JSON:
        """One message to several targets (fan-out): one group id, one record per target.

        ``targets``: channel builders (``dingtalk_robot("ops")``, ``wecom_app(users=[...])``), or
        :class:`Notification` objects that bring their own message. ``message`` is shaped for each platform;
        ``template``: ``(code, variables)`` of a stored message template filling its text. Returns the group:
        ``{id, status, notifications: [{id, channel, target, status}]}``.
        """
        body: JSON = {"targets": [_target(t) for t in targets]}
        if message is not None:
            body["message"] = message.json()
        if template is not None:
            body["template"] = {"code": template[0], "variables": dict(template[1])}
        return self._post("/api/v1/notification-groups", body, idempotency_key or new_key()).json()

    # Following

    def get(self, notification_id: str) -> JSON:
        """The record: status, attempts, the platform's answer."""
        return self._request("GET", f"/api/v1/notifications/{notification_id}").json()

    def group(self, group_id: str) -> JSON:
        """A fan-out group: overall ``status`` (pending, sent, partial, failed) and each target's."""
        return self._request("GET", f"/api/v1/notification-groups/{group_id}").json()

    def wait(self, notification_id: str, timeout: float = 60.0, *, first_delay: float = 0.2,
             max_delay: float = 5.0) -> JSON:
        """Poll until the notification is ``sent``, ``failed`` or ``dead`` (delays doubling from ``first_delay``
        to ``max_delay``); :class:`WaitTimeout` after ``timeout`` seconds. A failed or dead record is returned,
        not raised: its ``lastError`` says why."""
        return _poll(lambda: self.get(notification_id), FINAL_STATUSES, f"notification {notification_id}",
                     timeout, first_delay, max_delay)

    def wait_group(self, group_id: str, timeout: float = 60.0, *, first_delay: float = 0.2,
                   max_delay: float = 5.0) -> JSON:
        """Poll a group until every target is final; its ``status`` is then ``sent``, ``partial`` or ``failed``."""
        return _poll(lambda: self.group(group_id), GROUP_FINAL_STATUSES, f"group {group_id}", timeout,
                     first_delay, max_delay)

    # Outcome callbacks

    def subscribe_outcomes(self, name: str, url: str, outcomes: Sequence[str] = OUTCOMES, *,
                           secret: str | None = None) -> JSON:
        """Have the outcomes (``sent``, ``failed``, ``dead``) of this key's notifications POSTed to ``url``, signed
        (verify with :func:`imbridge_client.verify_callback`). Without ``secret`` one is generated and returned
        in this answer only: keep it."""
        body: JSON = {"name": name, "url": url, "outcomes": list(outcomes)}
        if secret is not None:
            body["secret"] = secret
        return self._post("/api/v1/callbacks", body, None).json()

    def callbacks(self) -> list[JSON]:
        return self._request("GET", "/api/v1/callbacks").json()["items"]

    def unsubscribe(self, callback_id: int) -> None:
        self._request("DELETE", f"/api/v1/callbacks/{callback_id}")

    # HTTP

    def _post(self, path: str, body: JSON, key: str | None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        for attempt in range(self.retries + 1):
            try:
                return self._request("POST", path, json=body, headers=headers)
            except (httpx.TransportError) as exc:
                # Without an idempotency key a repeat could send twice: only keyed requests are repeated.
                if attempt == self.retries or (key is None and not isinstance(exc, httpx.ConnectError)):
                    raise
                time.sleep(min(0.5 * 2 ** attempt, 5.0))
        raise AssertionError("unreachable")

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise _api_error(response)
        return response


def new_key() -> str:
    """A fresh idempotency key."""
    return str(uuid.uuid4())


def _api_error(response: httpx.Response) -> ApiError:
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if not isinstance(error, dict):
        error = {"code": f"http_{response.status_code}", "message": response.text[:500] or response.reason_phrase}
    return ApiError(response.status_code, error, {k.lower(): v for k, v in response.headers.items()})


def _poll(read: Callable[[], JSON], final: frozenset[str], what: str, timeout: float, first_delay: float,
          max_delay: float) -> JSON:
    if timeout < 0:
        raise ValueError("timeout must not be negative")
    deadline = time.monotonic() + timeout
    delay = first_delay
    while True:
        last = read()
        if last.get("status") in final:
            return last
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeout(what, last)
        time.sleep(min(delay, left))
        delay = min(delay * 2, max_delay)


__all__ = ["Accepted", "Client", "ImbridgeError", "Message", "new_key"]
