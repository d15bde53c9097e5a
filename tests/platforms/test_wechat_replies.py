import pytest

from platforms.wechat.messages import (
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    TextReply,
    VideoReply,
    VoiceReply,
    parse_message,
    reply_to,
)
from platforms.xml import parse_xml, render_xml


def render(reply) -> str:
    return reply.render(to_user="oUser", from_user="gh_account", create_time=1700000000)


def test_text_reply_is_exact():
    assert render(TextReply("hi")) == (
        "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[hi]]></Content></xml>"
    )


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (ImageReply("m1"), "<Image><MediaId><![CDATA[m1]]></MediaId></Image>"),
        (VoiceReply("m2"), "<Voice><MediaId><![CDATA[m2]]></MediaId></Voice>"),
        (
            VideoReply("m3", title="T", description="D"),
            "<Video><MediaId><![CDATA[m3]]></MediaId><Title><![CDATA[T]]></Title>"
            "<Description><![CDATA[D]]></Description></Video>",
        ),
        (
            MusicReply("th", title="T", music_url="http://m", hq_music_url="http://hq"),
            "<Music><Title><![CDATA[T]]></Title><MusicUrl><![CDATA[http://m]]></MusicUrl>"
            "<HQMusicUrl><![CDATA[http://hq]]></HQMusicUrl><ThumbMediaId><![CDATA[th]]></ThumbMediaId></Music>",
        ),
        (
            NewsReply([Article("T", "D", "http://p", "http://u")]),
            "<ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[T]]></Title>"
            "<Description><![CDATA[D]]></Description><PicUrl><![CDATA[http://p]]></PicUrl>"
            "<Url><![CDATA[http://u]]></Url></item></Articles>",
        ),
    ],
)
def test_media_replies_render_their_element(reply, expected):
    out = render(reply)
    assert f"<MsgType><![CDATA[{reply.msg_type}]]></MsgType>{expected}</xml>" in out
    assert parse_xml(out)["ToUserName"] == "oUser"


@pytest.mark.parametrize("count", [0, 9])
def test_news_reply_article_count_is_limited(count):
    with pytest.raises(ValueError):
        NewsReply([Article("t")] * count)


def test_reply_to_swaps_to_and_from():
    inbound = parse_message(
        render_xml(
            {
                "ToUserName": "gh_account",
                "FromUserName": "oUser",
                "CreateTime": 1,
                "MsgType": "text",
                "Content": "hi",
                "MsgId": 1,
            }
        )
    )
    fields = parse_xml(reply_to(inbound, TextReply("pong"), create_time=5))
    assert (fields["ToUserName"], fields["FromUserName"], fields["CreateTime"]) == ("oUser", "gh_account", "5")
