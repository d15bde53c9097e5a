"""Whether a channel can be used at all: an app channel needs its platform's app configured.

A platform without credentials is off (see :mod:`config.platforms`): a notification to one of its app channels is
refused at intake (422, naming the keys to set) instead of being recorded and failing at the worker. Robot
channels carry their own credentials (the robot's), so they never depend on ``third``.
"""

from __future__ import annotations

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
