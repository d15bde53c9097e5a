import pytest

from platforms.errors import MessageFormatError
from platforms.wechat import messages as m
from platforms.wechat.messages import parse_message
from platforms.xml import parse_xml, render_xml

COMMON = {"ToUserName": "gh_account", "FromUserName": "oUser", "CreateTime": 1700000000}


def xml(**fields) -> str:
    return render_xml({**COMMON, **fields})


@pytest.mark.parametrize(
    ("fields", "cls", "checks"),
    [
        ({"MsgType": "text", "Content": "hi", "MsgId": 1}, m.TextMessage, {"content": "hi"}),
        (
            {"MsgType": "image", "PicUrl": "http://p", "MediaId": "mi", "MsgId": 2},
            m.ImageMessage,
            {"pic_url": "http://p", "media_id": "mi"},
        ),
        (
            {"MsgType": "voice", "MediaId": "mv", "Format": "amr", "Recognition": "你好", "MsgId": 3},
            m.VoiceMessage,
            {"media_id": "mv", "format": "amr", "recognition": "你好"},
        ),
        (
            {"MsgType": "video", "MediaId": "v", "ThumbMediaId": "t", "MsgId": 4},
            m.VideoMessage,
            {"thumb_media_id": "t"},
        ),
        ({"MsgType": "shortvideo", "MediaId": "v", "ThumbMediaId": "t", "MsgId": 5}, m.ShortVideoMessage, {}),
        (
            {
                "MsgType": "location",
                "Location_X": "23.1",
                "Location_Y": "113.3",
                "Scale": "20",
                "Label": "L",
                "MsgId": 6,
            },
            m.LocationMessage,
            {"location_x": 23.1, "location_y": 113.3, "scale": 20, "label": "L"},
        ),
        (
            {"MsgType": "link", "Title": "T", "Description": "D", "Url": "http://u", "MsgId": 7},
            m.LinkMessage,
            {"title": "T", "description": "D", "url": "http://u"},
        ),
    ],
)
def test_parses_every_message_type(fields, cls, checks):
    message = parse_message(xml(**fields))
    assert type(message) is cls
    assert (message.from_user, message.to_user, message.create_time) == ("oUser", "gh_account", 1700000000)
    assert message.msg_id == str(fields["MsgId"]) and message.dedup_key == str(fields["MsgId"])
    for name, value in checks.items():
        assert getattr(message, name) == value


@pytest.mark.parametrize(
    ("fields", "cls", "checks"),
    [
        ({"Event": "subscribe", "EventKey": ""}, m.SubscribeEvent, {"scene": None, "ticket": None}),
        (
            {"Event": "subscribe", "EventKey": "qrscene_login:abc", "Ticket": "TK"},
            m.SubscribeEvent,
            {"scene": "login:abc", "ticket": "TK"},
        ),
        ({"Event": "unsubscribe"}, m.UnsubscribeEvent, {}),
        ({"Event": "SCAN", "EventKey": "login:abc", "Ticket": "TK"}, m.ScanEvent, {"scene": "login:abc"}),
        (
            {"Event": "LOCATION", "Latitude": "23.1", "Longitude": "113.3", "Precision": "119.4"},
            m.LocationEvent,
            {"latitude": 23.1, "longitude": 113.3, "precision": 119.4},
        ),
        ({"Event": "CLICK", "EventKey": "V1001"}, m.ClickEvent, {"key": "V1001"}),
        ({"Event": "VIEW", "EventKey": "http://v", "MenuId": "9"}, m.ViewEvent, {"url": "http://v", "menu_id": "9"}),
        (
            {"Event": "scancode_push", "EventKey": "k", "ScanCodeInfo": {"ScanType": "qrcode", "ScanResult": "R"}},
            m.ScanCodeEvent,
            {"scan_type": "qrcode", "scan_result": "R"},
        ),
        ({"Event": "scancode_waitmsg", "EventKey": "k"}, m.ScanCodeEvent, {}),
        ({"Event": "pic_sysphoto", "SendPicsInfo": {"Count": 1}}, m.PicEvent, {"count": 1}),
        ({"Event": "pic_photo_or_album"}, m.PicEvent, {"count": 0}),
        ({"Event": "pic_weixin"}, m.PicEvent, {}),
        (
            {"Event": "location_select", "SendLocationInfo": {"Location_X": "23", "Location_Y": "113", "Label": "L"}},
            m.LocationSelectEvent,
            {"location_x": 23.0, "location_y": 113.0, "label": "L"},
        ),
        (
            {"Event": "TEMPLATESENDJOBFINISH", "MsgID": "200163836", "Status": "success"},
            m.TemplateSendJobFinishEvent,
            {"template_msg_id": "200163836", "status": "success"},
        ),
        ({"Event": "MASSSENDJOBFINISH", "MsgID": "1", "Status": "send success"}, m.MassSendJobFinishEvent, {}),
    ],
)
def test_parses_every_event_type(fields, cls, checks):
    message = parse_message(xml(MsgType="event", **fields))
    assert type(message) is cls and message.is_event
    assert message.event == fields["Event"]
    for name, value in checks.items():
        assert getattr(message, name) == value


def test_event_dedup_key_combines_sender_time_event_and_key():
    message = parse_message(xml(MsgType="event", Event="CLICK", EventKey="K"))
    assert message.msg_id is None
    assert message.dedup_key == "oUser|1700000000|CLICK|K"
    other = parse_message(xml(MsgType="event", Event="CLICK", EventKey="K2"))
    assert other.dedup_key != message.dedup_key


def test_unknown_types_parse_into_the_base_class():
    message = parse_message(xml(MsgType="miniprogrampage", Title="x", MsgId=9))
    assert type(message) is m.InboundMessage and message.fields["Title"] == "x"
    event = parse_message(xml(MsgType="event", Event="user_info_modified"))
    assert type(event) is m.InboundMessage


def test_accepts_already_parsed_fields():
    fields = parse_xml(xml(MsgType="text", Content="hi", MsgId=1))
    assert parse_message(fields).content == "hi"


def test_wecom_agent_id_is_kept_in_fields():
    assert parse_message(xml(MsgType="text", Content="hi", MsgId=1, AgentID=1000002)).fields["AgentID"] == "1000002"


@pytest.mark.parametrize(
    "body",
    [
        render_xml({"FromUserName": "o", "CreateTime": 1, "MsgType": "text", "Content": "x"}),
        xml(MsgType="text", MsgId=1),
        xml(MsgType="event"),
        xml(MsgType="location", Location_X="1"),
        render_xml({**COMMON, "CreateTime": "yesterday", "MsgType": "text", "Content": "x"}),
        '<!DOCTYPE xml [<!ENTITY e "x">]><xml><MsgType>&e;</MsgType></xml>',
    ],
    ids=["no-to-user", "text-without-content", "event-without-event", "location-without-y", "bad-time", "dtd"],
)
def test_refuses_messages_missing_fields(body):
    with pytest.raises(MessageFormatError):
        parse_message(body)
