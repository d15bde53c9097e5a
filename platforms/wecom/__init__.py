"""WeCom (企业微信): a self-built app's API and group robots.

The app's temporary media is :class:`platforms.media.Media`. The callback uses
:class:`platforms.crypto.MessageCrypto` with ReceiveId = corp id and the same
message format as WeChat (:func:`platforms.wechat.parse_message`).
"""

from platforms.wecom.client import WeComClient
from platforms.wecom.messages import AppMessages, SendResult
from platforms.wecom.robot import WeComRobot, image_message

__all__ = ["AppMessages", "SendResult", "WeComClient", "WeComRobot", "image_message"]
