"""Followers, remarks and tags.

Every openid follows the account except those in ``options.wechat_non_followers``; a follower's data is made up
from the openid (stable), with the remark and tags the API set. WeChat's rules kept: at most 100 openids per
batchget (45xxx otherwise: 40032 here, as WeChat answers), 50 per batch (un)tagging, names and remarks of at most
30 characters (45158 / 45070-style errors), 100 tags (45056), ids 0-2 reserved (45058), a duplicate name (45157),
at most 20 tags per follower (45059).

The follower list (``user/get``, ``user/tag/get``) is finite: ``options.wechat_followers`` and everyone the sandbox
has seen interact, be remarked or tagged, less the non-followers, in openid order, paged by ``next_openid`` (the
openid after which a page starts) with ``options.wechat_follower_page_size`` a page. As WeChat does, every
non-empty page names its last openid as ``next_openid``, and the page after the last answers ``count: 0`` without
``data`` and with an empty ``next_openid``.
"""

from __future__ import annotations

import zlib
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import require_token

#: WeChat's own tags: they exist on every account and cannot be changed.
RESERVED_TAGS = {0: "黑名单", 1: "星标组", 2: "其他"}
MAX_TAGS = 100


def _openid(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ErrcodeAnswer(40003, "invalid openid")
    return value


def _user(state: SandboxState, openid: str) -> dict[str, Any]:
    if openid in state.options.wechat_non_followers:
        return {"subscribe": 0, "openid": openid}
    seed = zlib.crc32(openid.encode())
    return {"subscribe": 1, "openid": openid, "language": "zh_CN", "subscribe_time": 1_600_000_000 + seed % 50_000_000,
            "unionid": f"o6_bm{openid[-20:]}", "remark": state.wechat.remarks.get(openid, ""), "groupid": 0,
            "tagid_list": sorted(t for t, members in state.wechat.tag_members.items() if openid in members),
            "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": ""}


def listed_followers(state: SandboxState) -> list[str]:
    """Who follows the account as ``user/get`` lists them (and a mass send "to all" reaches), in openid order."""
    seen = set(state.options.wechat_followers) | set(state.wechat.interactions) | set(state.wechat.remarks)
    for members in state.wechat.tag_members.values():
        seen |= members
    return sorted(seen - set(state.options.wechat_non_followers))


def _cursor(value: Any) -> str:
    if value in (None, ""):
        return ""
    return _openid(value)


def _page(state: SandboxState, openids: list[str], after: str) -> dict[str, Any]:
    rest = [o for o in openids if o > after] if after else openids
    page = rest[:state.options.wechat_follower_page_size]
    if not page:
        return {"count": 0, "next_openid": ""}
    return {"count": len(page), "data": {"openid": page}, "next_openid": page[-1]}


def get_followers(state: SandboxState, call: Call) -> dict[str, Any]:
    """GET /cgi-bin/user/get?next_openid=: the account's followers, a page at a time."""
    require_token(state, call)
    followers = listed_followers(state)
    return {"total": len(followers), **_page(state, followers, _cursor(call.query.get("next_openid")))}


def get_tag_followers(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/user/tag/get {tagid, next_openid}: a tag's followers, a page at a time."""
    require_token(state, call)
    body = call.json_object()
    tag_id = _known_tag(state, body.get("tagid"), changeable=False)
    members = sorted(state.wechat.tag_members.get(tag_id, set()) - set(state.options.wechat_non_followers))
    return _page(state, members, _cursor(body.get("next_openid")))


def info(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    return _user(state, _openid(call.query.get("openid")))


def batch_info(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    users = call.json_object().get("user_list")
    if not isinstance(users, list) or not users or len(users) > 100:
        raise ErrcodeAnswer(40032, "invalid openid list size")
    return {"user_info_list": [_user(state, _openid(u.get("openid") if isinstance(u, dict) else None))
                               for u in users]}


def update_remark(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    openid, remark = _openid(body.get("openid")), body.get("remark")
    if not isinstance(remark, str) or len(remark) > 30:
        raise ErrcodeAnswer(45070, "remark too long")
    if openid in state.options.wechat_non_followers:
        raise ErrcodeAnswer(43004, "require subscribe")
    state.wechat.remarks[openid] = remark
    return {"errcode": 0, "errmsg": "ok"}


def _tag_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ErrcodeAnswer(40003, "invalid tag name")
    if len(value) > 30:
        raise ErrcodeAnswer(45158, "tag name too long")
    return value


def _known_tag(state: SandboxState, tag_id: Any, *, changeable: bool) -> int:
    if isinstance(tag_id, bool) or not isinstance(tag_id, int) or (
            tag_id not in state.wechat.tags and tag_id not in RESERVED_TAGS):
        raise ErrcodeAnswer(45159, "invalid tag id")
    if changeable and tag_id in RESERVED_TAGS:
        raise ErrcodeAnswer(45058, "can't modify sys tag")
    return tag_id


def get_tags(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    names = {**RESERVED_TAGS, **state.wechat.tags}
    return {"tags": [{"id": t, "name": names[t], "count": len(state.wechat.tag_members.get(t, ()))}
                     for t in sorted(names)]}


def create_tag(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    tag = call.json_object().get("tag")
    name = _tag_name(tag.get("name") if isinstance(tag, dict) else None)
    if name in {**RESERVED_TAGS, **state.wechat.tags}.values():
        raise ErrcodeAnswer(45157, "invalid tag name")
    if len(state.wechat.tags) >= MAX_TAGS:
        raise ErrcodeAnswer(45056, "too many tags now, no need to add new")
    tag_id = max([99, *state.wechat.tags]) + 1
    state.wechat.tags[tag_id] = name
    return {"tag": {"id": tag_id, "name": name}}


def update_tag(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    tag = call.json_object().get("tag")
    tag = tag if isinstance(tag, dict) else {}
    tag_id = _known_tag(state, tag.get("id"), changeable=True)
    state.wechat.tags[tag_id] = _tag_name(tag.get("name"))
    return {"errcode": 0, "errmsg": "ok"}


def delete_tag(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    tag = call.json_object().get("tag")
    tag_id = _known_tag(state, tag.get("id") if isinstance(tag, dict) else None, changeable=True)
    del state.wechat.tags[tag_id]
    state.wechat.tag_members.pop(tag_id, None)
    return {"errcode": 0, "errmsg": "ok"}


def _members(state: SandboxState, call: Call) -> tuple[int, list[str]]:
    body = call.json_object()
    openids = body.get("openid_list")
    if not isinstance(openids, list) or not openids or len(openids) > 50:
        raise ErrcodeAnswer(40032, "invalid openid list size")
    openids = [_openid(o) for o in openids]
    if any(o in state.options.wechat_non_followers for o in openids):
        raise ErrcodeAnswer(49003, "not match openid")
    return _known_tag(state, body.get("tagid"), changeable=False), openids


def batch_tagging(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    tag_id, openids = _members(state, call)
    for openid in openids:
        if sum(openid in members for members in state.wechat.tag_members.values()) >= 20:
            raise ErrcodeAnswer(45059, "has too many tags")
    state.wechat.tag_members.setdefault(tag_id, set()).update(openids)
    return {"errcode": 0, "errmsg": "ok"}


def batch_untagging(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    tag_id, openids = _members(state, call)
    state.wechat.tag_members.get(tag_id, set()).difference_update(openids)
    return {"errcode": 0, "errmsg": "ok"}
