"""WeCom (企业微信): a self-built app's API and group robots.

The callback uses :class:`platforms.crypto.MessageCrypto` with ReceiveId = corp id and the same
message format as WeChat (:func:`platforms.wechat.parse_message`).
"""

from platforms.wecom.client import WeComClient
from platforms.wecom.media import Media
from platforms.wecom.messages import AppMessages, SendResult
from platforms.wecom.robot import WeComRobot, image_message

__all__ = ["AppMessages", "Media", "SendResult", "WeComClient", "WeComRobot", "image_message"]
