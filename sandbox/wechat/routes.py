"""The fake WeChat Official Account API (``api.weixin.qq.com``), served under ``/wechat``."""

from sandbox import web_login
from sandbox.endpoint import GET, POST, Route
from sandbox.wechat import applet, custom, followers, mass, media, menu, publish, qrcode, subscribe, templates, tokens

ROUTES = [
    Route("/cgi-bin/token", tokens.classic_token, GET),
    Route("/cgi-bin/stable_token", tokens.stable_token, POST),
    Route("/cgi-bin/qrcode/create", qrcode.create, POST),
    Route("/cgi-bin/showqrcode", qrcode.show, GET, whitelist=False),
    Route("/cgi-bin/menu/create", menu.create, POST),
    Route("/cgi-bin/menu/get", menu.get, GET),
    Route("/cgi-bin/menu/delete", menu.delete, GET),
    Route("/cgi-bin/get_current_selfmenu_info", menu.current_selfmenu_info, GET),
    Route("/cgi-bin/template/get_all_private_template", templates.get_all_private_template, GET),
    Route("/cgi-bin/template/del_private_template", templates.del_private_template, POST),
    Route("/cgi-bin/message/template/send", templates.send, POST),
    Route("/cgi-bin/message/custom/send", custom.send, POST),
    Route("/cgi-bin/message/custom/typing", custom.typing, POST),
    Route("/cgi-bin/message/subscribe/bizsend", subscribe.bizsend, POST),
    Route("/cgi-bin/message/subscribe/send", subscribe.send, POST),
    Route("/wxaapi/newtmpl/gettemplate", subscribe.gettemplate, GET),
    Route("/cgi-bin/message/mass/sendall", mass.sendall, POST),
    Route("/cgi-bin/message/mass/send", mass.send, POST),
    Route("/cgi-bin/message/mass/get", mass.get, POST),
    Route("/cgi-bin/message/mass/delete", mass.delete, POST),
    Route("/cgi-bin/freepublish/batchget", publish.freepublish_batchget, POST),
    Route("/cgi-bin/draft/batchget", publish.draft_batchget, POST),
    Route("/cgi-bin/user/get", followers.get_followers, GET),
    Route("/cgi-bin/user/tag/get", followers.get_tag_followers, POST),
    Route("/cgi-bin/user/info", followers.info, GET),
    Route("/cgi-bin/user/info/batchget", followers.batch_info, POST),
    Route("/cgi-bin/user/info/updateremark", followers.update_remark, POST),
    Route("/cgi-bin/tags/get", followers.get_tags, GET),
    Route("/cgi-bin/tags/create", followers.create_tag, POST),
    Route("/cgi-bin/tags/update", followers.update_tag, POST),
    Route("/cgi-bin/tags/delete", followers.delete_tag, POST),
    Route("/cgi-bin/tags/members/batchtagging", followers.batch_tagging, POST),
    Route("/cgi-bin/tags/members/batchuntagging", followers.batch_untagging, POST),
    Route("/cgi-bin/media/upload", media.upload, POST),
    Route("/cgi-bin/material/add_material", media.add_material, POST),
    Route("/cgi-bin/material/del_material", media.del_material, POST),
    Route("/cgi-bin/material/get_material", media.get_material, POST),
    Route("/cgi-bin/material/batchget_material", media.batchget_material, POST),
    Route("/cgi-bin/material/get_materialcount", media.get_materialcount, GET),
    Route("/sns/jscode2session", applet.jscode2session, GET),
    Route("/sns/oauth2/access_token", web_login.oauth2_access_token, GET),
    Route("/sns/userinfo", web_login.userinfo, GET),
]

__all__ = ["ROUTES"]
