"""From a verified callback to its reply: parse, route, claim, handle, answer; the record goes to the inbox.

The order matters for the 5-second window and for "never twice": routing is pure and cheap, so it comes
first and lets the chosen handler say what "the same message" means; then one round trip binds the signed
``(timestamp, nonce)`` to the body, claims the key and queues the inbound entry for ``record_inbound``
(:mod:`ingress.portals.ledger`); only the claimant runs the handler, and a reply (or a failure) is stored in a
second round trip. Redeliveries are not recorded again; a known pair with another body is refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from core.inbox import inbound_entry, reply_note
from core.log_context import log_ids
from core.metrics import PORTAL_CALLBACKS
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.portals.handler import Handler, HandlerContext
from ingress.portals.ledger import Ledger, namespaced_key, stamp_key
from ingress.portals.router import Router
from platforms.callback import Callback, OpenedCallback
from platforms.errors import NonceReusedError
from platforms.wechat import InboundMessage, Reply, parse_message, reply_to
from platforms.wechat.replies import MusicReply, NewsReply, TextReply, VideoReply

log = logging.getLogger(f"imbridge.{__name__}")

#: Longest reply summary kept with the inbound record.
SUMMARY_LENGTH = 255


@dataclass(frozen=True)
class PortalEndpoint:
    """One account's callback: ``wechat`` + appid, or ``wecom`` + corp id, and the account's code."""

    platform: str
    app: str
    callback: Callback
    account: str = "default"


class Dispatcher:
    """Turns verified callbacks into replies; shared by every portal of the process.

    :param wake: enqueues a drain of the inbox (``record_inbound``), called when a claim took the signal.
    :param tasks: what handlers hand follow-ups to (:meth:`HandlerContext.follow_up`).
    """

    def __init__(self, runtime: Runtime, router: Router, ledger: Ledger, wake: Callable[[], None],
                 tasks: Tasks | None = None) -> None:
        self.runtime = runtime
        self.router = router
        self.ledger = ledger
        self.wake = wake
        self.tasks = tasks

    def dispatch(self, endpoint: PortalEndpoint, opened: OpenedCallback,
                 received_at: float | None = None) -> str | None:
        """The reply XML for this callback (plaintext; the portal encrypts it), or None for none.

        :raises MessageFormatError: the message lacks a field its type needs.
        :raises NonceReusedError: its ``(timestamp, nonce)`` came with another body (nothing was recorded).
        :raises redis.RedisError: Redis cannot be reached (nothing was handled).
        """
        received_at = time.time() if received_at is None else received_at
        message = parse_message(opened.fields)
        handler, dedup_key, label = self._route(message, endpoint.platform, endpoint.account)
        key = namespaced_key(endpoint.platform, endpoint.app, dedup_key)

        claim = self.ledger.claim(key, self._entry(endpoint, opened, message, key, received_at, label),
                                  stamp_key(endpoint.platform, endpoint.app, opened.timestamp, opened.nonce),
                                  opened.digest, endpoint.callback.stamp_lifetime(opened))
        if claim.stamp_reused:
            raise NonceReusedError("this timestamp and nonce came before with another body")
        if not claim.first:
            PORTAL_CALLBACKS.labels(endpoint.platform, "duplicate").inc()
            return self.ledger.earlier_reply(key, claim.held)
        PORTAL_CALLBACKS.labels(endpoint.platform, "accepted").inc()
        wake = claim.wake
        try:
            with log_ids(inbound=key):
                log.debug("callback %s %s recorded for %s", message.msg_type, message.event or "",
                          handler.name if handler else "no handler")
                if handler is None:
                    return None
                # Checked again here, apart from the callback's own gate: what a handler grants rests on it.
                verified = opened.encrypted or endpoint.callback.accepts_plaintext
                reply_xml, summary = self._run(handler, message, HandlerContext(
                    endpoint.platform, endpoint.app, self.runtime, verified=verified, tasks=self.tasks,
                    account=endpoint.account))
                if summary is not None:
                    try:
                        wake = self.ledger.complete(key, reply_xml, reply_note(key, summary)) or wake
                    except redis.RedisError as exc:  # the handler ran: its reply still goes out
                        log.error("could not store the reply: %s", exc)
            return reply_xml
        finally:
            if wake:
                self._wake()

    def _route(self, message: InboundMessage, platform: str,
               account: str) -> tuple[Handler | None, str, str | None]:
        """The handler, the message's dedup key by its rule, and the handler's name for the record."""
        try:
            handler = self.router.route(message, platform, account)
            if handler is None:
                return None, message.dedup_key, None
            return handler, handler.dedup_key(message), handler.label(message)
        except Exception as exc:  # a handler's matching bug: nobody handles, the record says why
            log.exception("portal routing failed on %s %s", message.msg_type, message.event or "")
            return None, message.dedup_key, f"error: {type(exc).__name__}"

    def _run(self, handler: Handler, message: InboundMessage,
             context: HandlerContext) -> tuple[str | None, str | None]:
        """The reply XML and its summary; (None, None) for no reply."""
        try:
            reply = handler.handle(message, context)
            return (reply_to(message, reply), summarize(reply)) if reply is not None else (None, None)
        except Exception as exc:  # a handler's bug must not cost the platform a 5xx or a retry storm
            log.exception("portal handler %s failed on %s %s", handler.name, message.msg_type, message.event or "")
            return None, f"error: {type(exc).__name__}"

    def _wake(self) -> None:
        try:
            self.wake()
        except Exception:  # the entry waits in the inbox; the signal expires and a later callback retries
            log.exception("could not enqueue record_inbound; the inbox keeps the entries")

    @staticmethod
    def _entry(endpoint: PortalEndpoint, opened: OpenedCallback, message: InboundMessage, key: str,
               received_at: float, label: str | None) -> dict[str, Any]:
        """What ``record_inbound`` stores (the reply, if any, follows in a note)."""
        return inbound_entry(
            platform=endpoint.platform, app=endpoint.app, msg_type=message.msg_type, event=message.event,
            event_key=message.event_key, from_user=message.from_user, to_user=message.to_user, msg_id=message.msg_id,
            dedup_key=key, create_time=message.create_time, received_at=received_at, fields=message.fields,
            encrypted=opened.encrypted, handler=label, account=endpoint.account)


def summarize(reply: Reply) -> str:
    """A one-line description of a passive reply, for the inbound record."""
    if isinstance(reply, TextReply):
        detail = reply.content
    elif isinstance(reply, NewsReply):
        detail = f"{len(reply.articles)} article(s): {reply.articles[0].title}"
    elif isinstance(reply, VideoReply | MusicReply) and reply.title:
        detail = reply.title
    else:
        detail = getattr(reply, "media_id", None) or getattr(reply, "thumb_media_id", "")
    text = f"{reply.msg_type}: {detail}" if detail else reply.msg_type
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"
