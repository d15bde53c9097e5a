"""What a portal handler is: it declares the messages it matches and answers them with a passive reply.

A handler registers itself by being defined: subclassing :class:`Handler` adds the class to
:data:`HANDLERS` (pass ``register=False`` for an intermediate base or a class a test registers by hand).
The handlers package (:mod:`ingress.portals.handlers`) imports every module it holds, so a new module there
is all it takes. The router tries handlers by descending ``priority``, first match wins; a handler marked
``fallback`` runs only when nothing else matched.

Handlers run inside the platform's 5-second window, in the ingress: they are quick, may read and write Redis,
and never call a platform (anything slow is an actor's job, enqueued from the handler).

Example::

    class Hours(Handler):
        msg_types = ("text",)

        def matches(self, message, platform):
            return super().matches(message, platform) and "hours" in message.content

        def handle(self, message, context):
            return TextReply("We are open 9-18.")
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from platforms.wechat import InboundMessage, Reply

if TYPE_CHECKING:
    import redis

    from config import Settings
    from core.runtime import Runtime
    from core.tasks import Tasks

T = TypeVar("T")


class Registry(Generic[T]):
    """Classes in the order they were defined; tests add and remove their own with :meth:`registered`."""

    def __init__(self) -> None:
        self._classes: list[type[T]] = []

    def add(self, cls: type[T]) -> None:
        if cls not in self._classes:
            self._classes.append(cls)

    def remove(self, cls: type[T]) -> None:
        if cls in self._classes:
            self._classes.remove(cls)

    def __iter__(self) -> Iterator[type[T]]:
        return iter(list(self._classes))

    @contextmanager
    def registered(self, *classes: type[T]) -> Iterator[None]:
        """Register ``classes`` for the duration of a ``with`` block (a test's own handlers)."""
        added = [cls for cls in classes if cls not in self._classes]
        for cls in added:
            self.add(cls)
        try:
            yield
        finally:
            for cls in added:
                self.remove(cls)


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may use besides the message: which portal received it, the process's runtime, and
    whether the message is ``verified``: it came encrypted (its msg_signature covers the body), or in plaintext
    where plaintext is the account's only mode (no EncodingAESKey) or allowed by the operator
    (``portal.allow-plaintext``). A handler that grants anything, such as a login, acts on verified ones only.
    """

    platform: str
    app: str
    runtime: Runtime
    verified: bool = False
    tasks: Tasks | None = None
    #: The account whose portal received the message (``default``: the bare ``/wechat/portal``).
    account: str = "default"

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def redis(self) -> redis.Redis:
        return self.runtime.redis

    def follow_up(self, name: str, **payload: Any) -> None:
        """Hand the follow-up registered as ``name`` (:func:`core.follow_ups.follow_up`) to a worker, with
        ``payload`` (JSON values): the way to do anything slow or any platform call after answering.

        :raises RuntimeError: this context cannot enqueue (a handler run outside a portal, e.g. in a unit test).
        """
        if self.tasks is None:
            raise RuntimeError("this handler context has no task interface to enqueue a follow-up on")
        self.tasks.run_follow_up(name, payload)


class Handler:
    """Base of the portal handlers. Declare what you match with the class attributes below.

    Empty tuples match anything. ``events`` are compared lower-cased (WeChat sends ``SCAN``/``CLICK``,
    WeCom ``click``); ``event_key_prefix`` and ``event_key_pattern`` (a regex, ``re.fullmatch``) test the
    EventKey. Override :meth:`matches` for anything else.
    """

    #: ``wechat``, ``wecom``; empty: both.
    platforms: ClassVar[tuple[str, ...]] = ()
    #: Account codes (``default`` is the seed block's, e.g. ``/wechat/portal``; ``sales`` is
    #: ``/wechat/portal/sales``); empty: every account.
    accounts: ClassVar[tuple[str, ...]] = ()
    #: ``MsgType`` values (``text``, ``image``, ..., ``event``); empty: any.
    msg_types: ClassVar[tuple[str, ...]] = ()
    #: Lower-case ``Event`` names; setting it implies ``msg_types = ("event",)``.
    events: ClassVar[tuple[str, ...]] = ()
    event_key_prefix: ClassVar[str | None] = None
    event_key_pattern: ClassVar[str | None] = None
    #: A regex searched (``re.search``) in a text message's ``Content``; setting it implies ``msg_types = ("text",)``.
    content_pattern: ClassVar[str | None] = None
    #: Higher runs first; ties keep definition order.
    priority: ClassVar[int] = 0
    #: Tried only after every ordinary handler declined.
    fallback: ClassVar[bool] = False

    _key_regex: ClassVar[re.Pattern[str] | None] = None
    _content_regex: ClassVar[re.Pattern[str] | None] = None

    def __init_subclass__(cls, *, register: bool = True, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.events = tuple(event.lower() for event in cls.events)
        cls._key_regex = re.compile(cls.event_key_pattern) if cls.event_key_pattern else None
        cls._content_regex = re.compile(cls.content_pattern) if cls.content_pattern else None
        if register:
            HANDLERS.add(cls)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def name(self) -> str:
        return type(self).__name__

    def matches(self, message: InboundMessage, platform: str) -> bool:
        if self.platforms and platform not in self.platforms:
            return False
        if self.msg_types and message.msg_type not in self.msg_types:
            return False
        if self.events and (not message.is_event or (message.event or "").lower() not in self.events):
            return False
        if self._content_regex is not None and (
                message.msg_type != "text" or self._content_regex.search(message.fields.get("Content", "")) is None):
            return False
        key = message.event_key or ""
        if self.event_key_prefix is not None and not key.startswith(self.event_key_prefix):
            return False
        return self._key_regex is None or self._key_regex.fullmatch(key) is not None

    def label(self, message: InboundMessage) -> str:
        """How the inbound record names the handler that answered ``message``."""
        return self.name

    def dedup_key(self, message: InboundMessage) -> str:
        """What makes two deliveries "the same message" (the platform's rule by default)."""
        return message.dedup_key

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        """The passive reply, or None for none (the portal answers ``success``)."""
        raise NotImplementedError


class SceneHandler:
    """Handles scans of parametric QR codes whose scene starts with ``prefix`` (e.g. ``login_``).

    The scene dispatcher gives it both shapes WeChat sends: a new follower's ``subscribe`` with EventKey
    ``qrscene_<scene>`` and an existing follower's ``SCAN`` with the bare ``<scene>``. ``param`` is the scene
    without the prefix. Subclasses register themselves in :data:`SCENES`; the longest matching prefix wins.
    """

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, *, register: bool = True, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if register:
            if not cls.prefix:
                raise TypeError(f"{cls.__name__} must declare a scene prefix")
            SCENES.add(cls)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def name(self) -> str:
        return type(self).__name__

    def dedup_key(self, message: InboundMessage) -> str:
        return message.dedup_key

    def handle(self, message: InboundMessage, param: str, context: HandlerContext) -> Reply | None:
        raise NotImplementedError


#: Every handler class defined so far.
HANDLERS: Registry[Handler] = Registry()
#: Every QR-scene handler class defined so far.
SCENES: Registry[SceneHandler] = Registry()
