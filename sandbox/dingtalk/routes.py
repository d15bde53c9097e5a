"""The fake DingTalk API (``oapi.dingtalk.com`` and the v1.0 ``api.dingtalk.com``), served under ``/dingtalk``."""

from sandbox import web_login
from sandbox.dingtalk import media, notifications, robot, tokens, v1
from sandbox.endpoint import GET, POST, Route

_NOTICE = "/topapi/message/corpconversation"

ROUTES = [
    Route("/gettoken", tokens.gettoken, GET),
    Route(f"{_NOTICE}/asyncsend_v2", notifications.asyncsend_v2, POST),
    Route(f"{_NOTICE}/getsendprogress", notifications.getsendprogress, POST),
    Route(f"{_NOTICE}/getsendresult", notifications.getsendresult, POST),
    Route(f"{_NOTICE}/recall", notifications.recall, POST),
    Route(f"{_NOTICE}/status_bar/update", notifications.status_bar_update, POST),
    Route("/media/upload", media.upload, POST),
    Route("/robot/send", robot.send, POST, whitelist=False, topapi=False),
    Route("/v1.0/oauth2/accessToken", v1.access_token, POST, v1=True),
    Route("/v1.0/robot/groupMessages/send", v1.group_send, POST, v1=True),
    Route("/v1.0/robot/oToMessages/batchSend", v1.users_send, POST, v1=True),
    Route("/v1.0/oauth2/userAccessToken", web_login.dingtalk_user_token, POST, v1=True),
    Route("/v1.0/contact/users/me", web_login.dingtalk_users_me, GET, v1=True),
]
