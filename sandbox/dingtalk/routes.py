"""The fake DingTalk API (``oapi.dingtalk.com``), served under ``/dingtalk``."""

from sandbox.dingtalk import media, notifications, robot, tokens
from sandbox.endpoint import GET, POST, Route

_NOTICE = "/topapi/message/corpconversation"

ROUTES = [
    Route("/gettoken", tokens.gettoken, GET),
    Route(f"{_NOTICE}/asyncsend_v2", notifications.asyncsend_v2, POST),
    Route(f"{_NOTICE}/getsendprogress", notifications.getsendprogress, POST),
    Route(f"{_NOTICE}/getsendresult", notifications.getsendresult, POST),
    Route(f"{_NOTICE}/recall", notifications.recall, POST),
    Route("/media/upload", media.upload, POST),
    Route("/robot/send", robot.send, POST, whitelist=False, topapi=False),
]
