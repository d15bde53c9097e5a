"""The demo account's private templates, present from the start and after every reset.

Two classic industry templates (``{{first.DATA}}`` ... ``{{remark.DATA}}``, no length rules) and one of the newer
category templates whose keys carry a type (``thing1``, ``time3``...) with the platform's length rules.
"""

from __future__ import annotations

from typing import Any

LOGIN_TEMPLATE_ID = "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY"
SHIPPED_TEMPLATE_ID = "7Fx3bKk0tqxVZ0cS4m1hS8wI3pQyWcL6uV2nJ9rTgA5"
APPROVAL_TEMPLATE_ID = "Qm2pX8vN4kLr7Ts1Yd6Hb3Gf9Jc5Wa0Ze8Uo2Ri4Ey7"

DEMO_TEMPLATES: list[dict[str, Any]] = [
    {
        "template_id": LOGIN_TEMPLATE_ID,
        "title": "登录提醒",
        "primary_industry": "IT科技",
        "deputy_industry": "互联网|电子商务",
        "content": "{{first.DATA}}\n登录账号:{{keyword1.DATA}}\n登录时间:{{keyword2.DATA}}\n{{remark.DATA}}",
        "example": "您的账号刚刚登录\n登录账号:admin\n登录时间:2024-05-01 10:00\n如非本人操作请修改密码",
    },
    {
        "template_id": SHIPPED_TEMPLATE_ID,
        "title": "订单发货提醒",
        "primary_industry": "IT科技",
        "deputy_industry": "互联网|电子商务",
        "content": "{{first.DATA}}\n订单编号:{{keyword1.DATA}}\n物流公司:{{keyword2.DATA}}\n"
                   "物流单号:{{keyword3.DATA}}\n{{remark.DATA}}",
        "example": "您的订单已发货\n订单编号:20240501001\n物流公司:顺丰速运\n物流单号:SF1234567890\n感谢您的惠顾",
    },
    {
        "template_id": APPROVAL_TEMPLATE_ID,
        "title": "审批结果通知",
        "primary_industry": "IT科技",
        "deputy_industry": "IT软件与服务",
        "content": "审批事项:{{thing1.DATA}}\n申请人:{{thing2.DATA}}\n审批时间:{{time3.DATA}}\n"
                   "审批单号:{{character_string4.DATA}}",
        "example": "审批事项:请假申请\n申请人:张三\n审批时间:2024-05-01 10:00\n审批单号:AP20240501001",
    },
]

#: A menu as the mp.weixin.qq.com console makes it, in ``get_current_selfmenu_info``'s shape (``menu/get``
#: answers 46003 for it): every console button type, with ``value`` meaning what the platform's docs say.
CONSOLE_MENU: list[dict[str, Any]] = [
    {"type": "text", "name": "联系我们", "value": "客服电话 400-000-0000"},
    {"name": "资料", "sub_button": {"list": [
        {"type": "view", "name": "官网", "url": "https://www.example.com/"},
        {"type": "news", "name": "最新文章", "value": "KQb_w_Tiz-nSdVLoTV35Psmty8hGBulGhEdbb9SKs-o",
         "news_info": {"list": [{"title": "第一篇", "author": "imbridge", "digest": "摘要", "show_cover": 1,
                                 "cover_url": "http://mmbiz.qpic.cn/cover/0", "content_url": "http://mp.weixin.qq.com/s/x",
                                 "source_url": ""}]}},
        {"type": "img", "name": "海报", "value": "temporary-media-id-3-days-only"},
        {"type": "video", "name": "介绍视频", "value": "http://mp.weixin.qq.com/mp/video?vid=demo"},
    ]}},
]

#: The demo account's subscription templates (``gettemplate``'s shape; type 2: one-off, 3: long-term).
SUBSCRIBE_TEMPLATE_ID = "bDmywsp2oEHjwAadTGKkUHpC0RgBVKbWKsFkrKaMQsk"
DEMO_SUBSCRIBE_TEMPLATES: list[dict[str, Any]] = [
    {"priTmplId": SUBSCRIBE_TEMPLATE_ID, "title": "工单进度通知", "type": 2,
     "content": "工单名称:{{thing1.DATA}}\n处理状态:{{phrase2.DATA}}\n更新时间:{{time3.DATA}}\n",
     "example": "工单名称:打印机故障\n处理状态:已完成\n更新时间:2024-05-01 10:00\n"},
]
#: The demo mini-program's subscription templates.
APPLET_SUBSCRIBE_TEMPLATE_ID = "Lp9xX4hD3kTw8Zr2Nc6Vb1Mq7Gs5Jf0Ya3Ue8Io2Pn4"
DEMO_APPLET_SUBSCRIBE_TEMPLATES: list[dict[str, Any]] = [
    {"priTmplId": APPLET_SUBSCRIBE_TEMPLATE_ID, "title": "订单支付成功通知", "type": 2,
     "content": "订单号:{{character_string1.DATA}}\n金额:{{amount2.DATA}}\n商品:{{thing3.DATA}}\n"
                "支付时间:{{date4.DATA}}\n",
     "example": "订单号:20240501001\n金额:¥99.00\n商品:年度会员\n支付时间:2024年5月1日 10:00\n"},
]


def _article(title: str, digest: str) -> dict[str, Any]:
    return {"title": title, "author": "imbridge", "digest": digest, "content": f"<p>{digest}</p>",
            "content_source_url": "", "thumb_media_id": "", "url": "https://mp.weixin.qq.com/s/demo"}


#: Published articles (id -> {id, content: {news_item}, update_time}), newest first, and drafts alike.
DEMO_PUBLISHED: list[dict[str, Any]] = [
    {"id": f"DemoArticle{i:04d}", "update_time": 1714500000 - i * 86400,
     "content": {"news_item": [_article(f"周报 第{30 - i}期", f"第{30 - i}期的摘要")]}} for i in range(25)
]
DEMO_DRAFTS: list[dict[str, Any]] = [
    {"id": "DemoDraft0001", "update_time": 1714600000,
     "content": {"news_item": [_article("新版本发布说明", "草稿：新功能一览"), _article("常见问题", "草稿：答疑")]}},
]
