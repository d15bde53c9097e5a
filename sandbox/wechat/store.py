"""What the fake Official Account remembers: menu, templates, materials, QR tickets, wx.login codes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.wechat.seeds import (
    DEMO_APPLET_SUBSCRIBE_TEMPLATES,
    DEMO_DRAFTS,
    DEMO_PUBLISHED,
    DEMO_SUBSCRIBE_TEMPLATES,
    DEMO_TEMPLATES,
)


@dataclass
class Material:
    media_id: str
    type: str
    name: str
    update_time: int
    url: str | None = None
    description: dict[str, Any] | None = None
    #: The file as uploaded (image, voice, video, thumb) and its type; a news material's articles instead.
    content: bytes | None = None
    content_type: str | None = None
    news_item: list[dict[str, Any]] | None = None


@dataclass
class QrTicket:
    ticket: str
    action_name: str
    scene: str
    url: str
    created_at: float
    expires_at: float | None
    #: The app whose token created the code: its scan is reported to that account's callback URL.
    app_id: str | None = None

    def describe(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class JsCode:
    code: str
    openid: str
    unionid: str | None
    errcode: int | None
    expires_at: float | None


@dataclass
class WeChatStore:
    menu: list[dict[str, Any]] | None = None
    #: A menu made in the admin console (``get_current_selfmenu_info`` shape); an API menu replaces it.
    console_menu: list[dict[str, Any]] | None = None
    templates: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {t["template_id"]: copy.deepcopy(t) for t in DEMO_TEMPLATES})
    materials: dict[str, Material] = field(default_factory=dict)
    tickets: dict[str, QrTicket] = field(default_factory=dict)
    jscodes: dict[str, JsCode] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    #: (openid, client_msg_id) -> msgid: the platform sends a message once per pair.
    client_msg_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    next_msgid: int = 2_000_000_000
    #: openid -> when the follower last wrote to the account (the customer-service window's start).
    interactions: dict[str, float] = field(default_factory=dict)
    #: openid -> the remark the account gave the follower.
    remarks: dict[str, str] = field(default_factory=dict)
    #: The account's own tags (id -> name; WeChat's reserved 0-2 are not stored) and each tag's members.
    tags: dict[int, str] = field(default_factory=dict)
    tag_members: dict[int, set[str]] = field(default_factory=dict)
    #: Subscription templates (priTmplId -> template) of the Official Account and of the mini-program.
    subscribe_templates: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {t["priTmplId"]: copy.deepcopy(t) for t in DEMO_SUBSCRIBE_TEMPLATES})
    applet_subscribe_templates: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {t["priTmplId"]: copy.deepcopy(t) for t in DEMO_APPLET_SUBSCRIBE_TEMPLATES})
    #: Mass sends by msg_id, and the clientmsgids already used (-> msg_id).
    mass_sends: dict[int, dict[str, Any]] = field(default_factory=dict)
    mass_clientmsgids: dict[str, int] = field(default_factory=dict)
    #: Published articles (article_id -> item) and drafts (media_id -> item), newest first.
    published: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {a["id"]: copy.deepcopy(a) for a in DEMO_PUBLISHED})
    drafts: dict[str, dict[str, Any]] = field(default_factory=lambda: {d["id"]: copy.deepcopy(d) for d in DEMO_DRAFTS})
