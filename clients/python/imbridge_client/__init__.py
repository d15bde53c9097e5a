"""imbridge's producer client: typed messages for WeChat, WeCom and DingTalk, sent through an imbridge gateway.

    from imbridge_client import Client, dingtalk_robot

    with Client("http://127.0.0.1:8000", api_key) as imbridge:
        record = imbridge.wait(imbridge.send(dingtalk_robot("ops").text("deploy done")).id)
"""

from imbridge_client.callbacks import standard_secret, verify_callback
from imbridge_client.client import FINAL_STATUSES, OUTCOMES, Accepted, Client, Message, new_key
from imbridge_client.errors import ApiError, ImbridgeError, SignatureInvalid, WaitTimeout
from imbridge_client.messages import (
    Article,
    DingTalkEnterpriseRobot,
    DingTalkRobot,
    DingTalkWork,
    Media,
    MpArticle,
    Notification,
    ReplyTo,
    WeChatCustom,
    WeComApp,
    WeComAppChat,
    WeComRobot,
    applet_subscribe,
    dingtalk_group,
    dingtalk_robot,
    dingtalk_robot_users,
    dingtalk_work,
    reply_to,
    wechat_custom,
    wechat_subscribe,
    wechat_template,
    wecom_app,
    wecom_appchat,
    wecom_robot,
)

__version__ = "0.1.0"

__all__ = [
    "FINAL_STATUSES",
    "OUTCOMES",
    "Accepted",
    "ApiError",
    "Article",
    "Client",
    "DingTalkEnterpriseRobot",
    "DingTalkRobot",
    "DingTalkWork",
    "ImbridgeError",
    "Media",
    "Message",
    "MpArticle",
    "Notification",
    "ReplyTo",
    "SignatureInvalid",
    "WaitTimeout",
    "WeChatCustom",
    "WeComApp",
    "WeComAppChat",
    "WeComRobot",
    "applet_subscribe",
    "dingtalk_group",
    "dingtalk_robot",
    "dingtalk_robot_users",
    "dingtalk_work",
    "new_key",
    "reply_to",
    "standard_secret",
    "verify_callback",
    "wechat_custom",
    "wechat_subscribe",
    "wechat_template",
    "wecom_app",
    "wecom_appchat",
    "wecom_robot",
]
