"""Published articles and drafts, listed page by page (``batchget``: offset, count 1..20, no_content).

The demo account starts with a few of each (:mod:`sandbox.wechat.seeds`); ``no_content=1`` leaves each article's
``content`` out, as WeChat does.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import require_token

MAX_COUNT = 20


def _page(state: SandboxState, call: Call, items: list[dict[str, Any]], id_field: str) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    offset, count, no_content = body.get("offset"), body.get("count"), body.get("no_content", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ErrcodeAnswer(40097, "invalid args: offset")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise ErrcodeAnswer(40097, "invalid args: count")
    if no_content not in (0, 1):
        raise ErrcodeAnswer(40097, "invalid args: no_content")
    page = []
    for item in items[offset:offset + count]:
        entry = copy.deepcopy(item)
        if no_content:
            for article in entry["content"]["news_item"]:
                article.pop("content", None)
        page.append({id_field: entry["id"], "content": entry["content"], "update_time": entry["update_time"]})
    return {"total_count": len(items), "item_count": len(page), "item": page}


def freepublish_batchget(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/freepublish/batchget: published articles, newest first."""
    return _page(state, call, list(state.wechat.published.values()), "article_id")


def draft_batchget(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/draft/batchget: drafts, newest first."""
    return _page(state, call, list(state.wechat.drafts.values()), "media_id")
