"""Followers (用户管理): who follows the account, their remarks and tags.

Since 2021 WeChat no longer returns nicknames or avatars here: ``user/info`` answers ``subscribe``, ``openid``,
``language``, ``subscribe_time``, ``unionid`` (with an open-platform binding), ``remark``, ``tagid_list``,
``subscribe_scene`` and the QR scene a follower came through. ``subscribe: 0`` means "not (or no longer) a
follower", and then nothing else is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: At most this many openids per ``user/info/batchget``.
BATCH_INFO_LIMIT = 100
#: At most this many openids per ``tags/members/batchtagging`` / ``batchuntagging``.
BATCH_TAGGING_LIMIT = 50
#: Longest remark and tag name, in characters.
MAX_REMARK_LENGTH = 30
MAX_TAG_NAME_LENGTH = 30
#: At most this many openids per page of ``user/get`` (and of ``user/tag/get``).
LIST_PAGE_LIMIT = 10_000


@dataclass(frozen=True)
class FollowerPage:
    """One page of the follower list (``user/get``) or of a tag's followers (``user/tag/get``)."""

    openids: list[str]
    #: Where the next page starts; ``""`` when WeChat said there is none.
    next_openid: str
    #: Followers in all (``user/get`` only).
    total: int | None = None

    @property
    def last(self) -> bool:
        """No page follows. WeChat names a ``next_openid`` on the last full page too and answers the page after it
        with ``count: 0`` and no ``data``: either ends the list."""
        return not self.openids or not self.next_openid


def _page(body: dict[str, Any]) -> FollowerPage:
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    openids = [o for o in data.get("openid") or [] if isinstance(o, str) and o]
    total = body.get("total")
    return FollowerPage(openids, str(body.get("next_openid") or ""), total if isinstance(total, int) else None)


def _walk(fetch: Callable[[str], FollowerPage], next_openid: str) -> Iterator[FollowerPage]:
    """Pages from ``next_openid`` on until one is the last (or WeChat would send the same one again)."""
    while True:
        page = fetch(next_openid)
        if page.openids:
            yield page
        if page.last or page.next_openid == next_openid:
            return
        next_openid = page.next_openid


class Followers:
    """``/cgi-bin/user/get``, ``/cgi-bin/user/info*``, ``/cgi-bin/user/tag/get`` and ``/cgi-bin/tags/*``."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def info(self, openid: str, lang: str = "zh_CN") -> dict[str, Any]:
        """One follower's data (``subscribe: 0`` and little else for someone who does not follow)."""
        return self._transport.request("GET", "/cgi-bin/user/info", params={"openid": openid, "lang": lang},
                                       token=self._token, success=("subscribe",))

    def batch_info(self, openids: Iterable[str], lang: str = "zh_CN") -> list[dict[str, Any]]:
        """Many followers' data, in chunks of :data:`BATCH_INFO_LIMIT`, in the order given."""
        wanted = list(dict.fromkeys(openids))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), BATCH_INFO_LIMIT):
            chunk = [{"openid": openid, "lang": lang} for openid in wanted[start:start + BATCH_INFO_LIMIT]]
            body = self._transport.request("POST", "/cgi-bin/user/info/batchget", json={"user_list": chunk},
                                           token=self._token, success=("user_info_list",))
            found += list(body.get("user_info_list") or [])
        return found

    def list_page(self, next_openid: str = "") -> FollowerPage:
        """One page of the account's followers (``user/get``): up to :data:`LIST_PAGE_LIMIT` openids after
        ``next_openid`` (``""``: from the first)."""
        params = {"next_openid": next_openid} if next_openid else None
        return _page(self._transport.request("GET", "/cgi-bin/user/get", params=params, token=self._token,
                                             success=("count", "total")))

    def pages(self, next_openid: str = "") -> Iterator[FollowerPage]:
        """Every page of the follower list, one ``user/get`` call each, as they are iterated."""
        return _walk(self.list_page, next_openid)

    def tag_page(self, tag_id: int, next_openid: str = "") -> FollowerPage:
        """One page of a tag's followers (``user/tag/get``)."""
        body = self._transport.request("POST", "/cgi-bin/user/tag/get", json={"tagid": tag_id,
                                                                              "next_openid": next_openid},
                                       token=self._token, success=("count",))
        return _page(body)

    def tag_pages(self, tag_id: int, next_openid: str = "") -> Iterator[FollowerPage]:
        """Every page of a tag's followers, one ``user/tag/get`` call each, as they are iterated."""
        return _walk(lambda cursor: self.tag_page(tag_id, cursor), next_openid)

    def update_remark(self, openid: str, remark: str) -> None:
        self._transport.request("POST", "/cgi-bin/user/info/updateremark", json={"openid": openid, "remark": remark},
                                token=self._token)

    def tags(self) -> list[dict[str, Any]]:
        """The account's tags: ``[{id, name, count}]`` (ids 0-2 are WeChat's own and cannot be changed)."""
        body = self._transport.request("GET", "/cgi-bin/tags/get", token=self._token, success=("tags",))
        return list(body.get("tags") or [])

    def create_tag(self, name: str) -> dict[str, Any]:
        """A new tag: ``{id, name}``."""
        body = self._transport.request("POST", "/cgi-bin/tags/create", json={"tag": {"name": name}},
                                       token=self._token, success=("tag",))
        return dict(body["tag"])

    def rename_tag(self, tag_id: int, name: str) -> None:
        self._transport.request("POST", "/cgi-bin/tags/update", json={"tag": {"id": tag_id, "name": name}},
                                token=self._token)

    def delete_tag(self, tag_id: int) -> None:
        self._transport.request("POST", "/cgi-bin/tags/delete", json={"tag": {"id": tag_id}}, token=self._token)

    def tag(self, tag_id: int, openids: Iterable[str]) -> None:
        """Put ``openids`` under the tag, in chunks of :data:`BATCH_TAGGING_LIMIT`."""
        self._members("/cgi-bin/tags/members/batchtagging", tag_id, openids)

    def untag(self, tag_id: int, openids: Iterable[str]) -> None:
        self._members("/cgi-bin/tags/members/batchuntagging", tag_id, openids)

    def _members(self, path: str, tag_id: int, openids: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(openids))
        for start in range(0, len(wanted), BATCH_TAGGING_LIMIT):
            self._transport.request("POST", path, token=self._token,
                                    json={"openid_list": wanted[start:start + BATCH_TAGGING_LIMIT], "tagid": tag_id})
