"""WeChat Official Accounts (公众号) and mini-program login.

* :class:`WeChatClient` with resources ``menu``, ``templates``, ``media``, ``material``, ``qrcode``, ``custom``,
  ``followers``, ``subscribe``, ``mass``, ``publications``;
* :class:`WeChatAppletClient` for ``jscode2session`` and ``subscribe``;
* :func:`parse_message` and the passive replies for the callback.
"""

from platforms.wechat.applet import AppletSession, WeChatAppletClient
from platforms.wechat.client import WeChatClient
from platforms.wechat.custom import CUSTOM_MSGTYPES, CustomerService
from platforms.wechat.followers import FollowerPage, Followers
from platforms.wechat.mass import CLIENTMSGID_EXISTS, MASS_MSGTYPES, MassSends
from platforms.wechat.material import FetchedMaterial, Material
from platforms.wechat.menu import Menu
from platforms.wechat.menu_rules import ButtonProblem, MenuInvalid, button_problems, validate_buttons
from platforms.wechat.messages import InboundMessage, parse_message
from platforms.wechat.open import OpenGrant, WeChatOpenClient
from platforms.wechat.publish import Publications
from platforms.wechat.qrcode import QRCodes, qrcode_image_url
from platforms.wechat.replies import (
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    Reply,
    TextReply,
    VideoReply,
    VoiceReply,
    reply_to,
)
from platforms.wechat.selfmenu import ConvertedMenu, selfmenu_as_menu
from platforms.wechat.subscribe import SubscribeMessages, subscribe_keys
from platforms.wechat.templates import Templates, template_keys

__all__ = [
    "CLIENTMSGID_EXISTS",
    "CUSTOM_MSGTYPES",
    "MASS_MSGTYPES",
    "AppletSession",
    "Article",
    "ButtonProblem",
    "ConvertedMenu",
    "CustomerService",
    "FetchedMaterial",
    "FollowerPage",
    "Followers",
    "ImageReply",
    "InboundMessage",
    "MassSends",
    "Material",
    "Menu",
    "MenuInvalid",
    "MusicReply",
    "NewsReply",
    "OpenGrant",
    "Publications",
    "QRCodes",
    "Reply",
    "SubscribeMessages",
    "Templates",
    "TextReply",
    "VideoReply",
    "VoiceReply",
    "WeChatAppletClient",
    "WeChatClient",
    "WeChatOpenClient",
    "button_problems",
    "parse_message",
    "qrcode_image_url",
    "reply_to",
    "selfmenu_as_menu",
    "subscribe_keys",
    "template_keys",
    "validate_buttons",
]
