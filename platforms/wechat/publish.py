"""Published articles (发布) and drafts (草稿箱): read-only listing, page by page (at most 20 a page)."""

from __future__ import annotations

from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: The most items ``batchget`` answers per page.
MAX_PAGE = 20


class Publications:
    """``/cgi-bin/freepublish/batchget`` and ``/cgi-bin/draft/batchget``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def published(self, offset: int = 0, count: int = MAX_PAGE, no_content: bool = True) -> dict[str, Any]:
        """One page of published articles: ``{total_count, item_count, item: [{article_id, content, update_time}]}``."""
        return self._page("/cgi-bin/freepublish/batchget", offset, count, no_content)

    def drafts(self, offset: int = 0, count: int = MAX_PAGE, no_content: bool = True) -> dict[str, Any]:
        """One page of drafts: ``{total_count, item_count, item: [{media_id, content, update_time}]}``."""
        return self._page("/cgi-bin/draft/batchget", offset, count, no_content)

    def _page(self, path: str, offset: int, count: int, no_content: bool) -> dict[str, Any]:
        if not 1 <= count <= MAX_PAGE:
            raise ValueError(f"count must be 1..{MAX_PAGE}")
        return self._transport.request("POST", path, token=self._token, success=("total_count", "item"),
                                       json={"offset": offset, "count": count, "no_content": 1 if no_content else 0})
