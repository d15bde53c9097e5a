"""Every job kind, by name: what the runner looks a job's ``kind`` up in."""

from __future__ import annotations

from workers.jobs import (
    wechat_articles,
    wechat_follower_sync,
    wechat_followers,
    wechat_mass,
    wechat_media,
    wechat_media_fetch,
    wechat_menus,
    wechat_subscribe_templates,
    wechat_templates,
    wecom_appchats,
)
from workers.jobs.kinds import JobKind

#: kind name -> kind.
KINDS: dict[str, JobKind] = {kind.name: kind for kind in [
    wechat_templates.SYNC,
    wechat_subscribe_templates.SYNC,
    wechat_articles.SYNC,
    *wechat_menus.KINDS,
    *wechat_media.KINDS,
    *wechat_media_fetch.KINDS,
    *wechat_followers.KINDS,
    wechat_follower_sync.SYNC,
    *wechat_mass.KINDS,
    wecom_appchats.CREATE,
]}
