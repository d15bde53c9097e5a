"""The fake WeCom API (``qyapi.weixin.qq.com``), served under ``/wecom``."""

from sandbox import web_login
from sandbox.endpoint import GET, POST, Route
from sandbox.wecom import appchat, media, messages, tokens, webhook

ROUTES = [
    Route("/cgi-bin/gettoken", tokens.gettoken, GET),
    Route("/cgi-bin/message/send", messages.send, POST),
    Route("/cgi-bin/message/recall", messages.recall, POST),
    Route("/cgi-bin/media/upload", media.upload, POST),
    Route("/cgi-bin/appchat/create", appchat.create, POST),
    Route("/cgi-bin/appchat/send", appchat.send, POST),
    Route("/cgi-bin/auth/getuserinfo", web_login.wecom_getuserinfo, GET),
    Route("/cgi-bin/webhook/send", webhook.send, POST, whitelist=False),
    Route("/cgi-bin/webhook/upload_media", webhook.upload_media, POST, whitelist=False),
]
