"""The handler API for plugins: everything a package of your own portal handlers imports, from one place.

A handler answers a WeChat or WeCom message within the platform's 5 seconds with a passive reply (or nothing),
and hands anything slower to a worker as a follow-up. Put your handlers in a module of your own package and
declare it under the ``imbridge.handlers`` entry-point group (or list it in ``portal.handler-modules``)::

    # pyproject.toml of your package
    [project.entry-points."imbridge.handlers"]
    hours = "my_handlers.hours"

    # my_handlers/hours.py
    from imbridge.handlers import Handler, TextReply, follow_up

    class OpeningHours(Handler):
        content_pattern = r"营业时间|opening hours"    # also: msg_types, events, event_key_prefix/pattern
        accounts = ("default", "sales")                # the accounts whose portals it answers; empty: all
        priority = 10                                  # higher runs first; ``fallback = True`` runs last

        def handle(self, message, context):
            context.follow_up("hours.asked", openid=message.from_user)
            return TextReply("每天 9:00-18:00 / Open 9:00-18:00 daily")

    @follow_up("hours.asked")
    def asked(runtime, payload):  # runs in a worker
        runtime.redis.incr("hours:asked")

A handler that raises is recorded on the inbound entry (``error: <Exception>``) and the platform still gets its
answer; a plugin that fails to import is logged with its name and skipped.
"""

from core.follow_ups import follow_up
from ingress.portals.handler import Handler, HandlerContext, SceneHandler
from platforms.wechat import (
    Article,
    ImageReply,
    InboundMessage,
    MusicReply,
    NewsReply,
    Reply,
    TextReply,
    VideoReply,
    VoiceReply,
)

__all__ = [
    "Article",
    "Handler",
    "HandlerContext",
    "ImageReply",
    "InboundMessage",
    "MusicReply",
    "NewsReply",
    "Reply",
    "SceneHandler",
    "TextReply",
    "VideoReply",
    "VoiceReply",
    "follow_up",
]
