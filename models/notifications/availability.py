"""Whether a channel can be used at all: an app channel needs its platform's app configured.

A platform without credentials is off (see :mod:`config.platforms`): a notification to one of its app channels is
refused at intake (422, naming the keys to set) instead of being recorded and failing at the worker. Robot
channels carry their own credentials (the robot's), so they never depend on ``third``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.platforms import missing_keys
from config.settings import ThirdSettings
from models.deliveries import Channel
from models.notifications.request import ProblemList, problem

#: App channel -> the ``third`` section it sends through, and the keys a send needs there.
CHANNEL_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    Channel.DINGTALK_WORK: ("ding_talk", ("app_key", "app_secret", "agent_id")),
    Channel.WECOM_APP: ("wecom", ("corp_id", "corp_secret", "agent_id")),
    Channel.WECHAT_TEMPLATE: ("wechat", ("app_id", "app_secret")),
    Channel.WECHAT_CUSTOM: ("wechat", ("app_id", "app_secret")),
    Channel.WECHAT_SUBSCRIBE: ("wechat", ("app_id", "app_secret")),
    Channel.APPLET_SUBSCRIBE: ("wechat_applet", ("app_id", "app_secret")),
    Channel.DINGTALK_GROUP: ("ding_talk", ("app_key", "app_secret")),
    Channel.DINGTALK_ROBOT_USERS: ("ding_talk", ("app_key", "app_secret")),
    Channel.WECOM_APPCHAT: ("wecom", ("corp_id", "corp_secret")),
}


#: App channel -> the platform of the accounts it may send through (``account`` of a request).
CHANNEL_ACCOUNT_PLATFORMS: dict[str, str] = {
    Channel.DINGTALK_WORK: "ding-talk", Channel.DINGTALK_GROUP: "ding-talk", Channel.DINGTALK_ROBOT_USERS: "ding-talk",
    Channel.WECOM_APP: "wecom", Channel.WECOM_APPCHAT: "wecom",
    Channel.WECHAT_TEMPLATE: "wechat", Channel.WECHAT_CUSTOM: "wechat", Channel.WECHAT_SUBSCRIBE: "wechat",
    Channel.APPLET_SUBSCRIBE: "wechat-applet",
}


def account_problems(find_account: Callable[[str, str], Any], channel: object, account: object) -> ProblemList:
    """Why ``channel`` cannot be sent through ``account`` (a code other than ``default``): the channel has no
    accounts (robots), no account of its platform has the code, or that account lacks credentials."""
    if not isinstance(channel, str) or not isinstance(account, str):
        return []  # the request's own validation names them
    platform = CHANNEL_ACCOUNT_PLATFORMS.get(channel)
    if platform is None:
        return [problem("account", f"the {channel} channel sends through its robot: it takes no account")]
    settings = find_account(platform, account)
    if settings is None:
        return [problem("account", f"no {platform} account has the code '{account}'", "not_found")]
    _, fields = CHANNEL_NEEDS[channel]
    missing = [name for name in fields if getattr(settings, name, None) in (None, "")]
    if missing:
        return [problem("account", f"the {platform} account '{account}' cannot send on {channel}: set "
                                   f"{', '.join(m.replace('_', '-') for m in missing)}", "not_configured")]
    return []


def channel_problems(third: ThirdSettings, channel: object) -> ProblemList:
    """Why ``channel`` cannot be used with these platforms (an empty list when it can, or is not an app channel)."""
    if not isinstance(channel, str) or channel not in CHANNEL_NEEDS:
        return []
    section, fields = CHANNEL_NEEDS[channel]
    missing = missing_keys(third, section, fields)
    if not missing:
        return []
    return [problem("channel", f"the {channel} channel is off: its platform is not configured; set "
                               f"{', '.join(missing)}", "not_configured")]
