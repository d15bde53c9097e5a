import pytest

from platforms.errors import MessageFormatError
from platforms.xml import parse_xml, render_xml


def test_parses_flat_message_with_cdata_and_numbers():
    fields = parse_xml(
        b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1348831860</CreateTime>"
        b"<Content><![CDATA[<b>&amp;</b>]]></Content></xml>"
    )
    assert fields == {"ToUserName": "gh_1", "CreateTime": "1348831860", "Content": "<b>&amp;</b>"}


def test_keeps_whitespace_inside_values_and_ignores_it_between_elements():
    text = '<?xml version="1.0" encoding="utf-8"?>\n<xml>\n  <Content><![CDATA[ 你好 ]]></Content>\n</xml>'
    assert parse_xml(text) == {"Content": " 你好 "}


def test_nested_event_info_is_flattened():
    fields = parse_xml(
        "<xml><Event>scancode_push</Event><ScanCodeInfo><ScanType>qrcode</ScanType>"
        "<ScanResult>1</ScanResult></ScanCodeInfo></xml>"
    )
    assert fields["ScanType"] == "qrcode" and fields["ScanResult"] == "1"


@pytest.mark.parametrize(
    "text",
    [
        '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
        '<!DOCTYPE xml SYSTEM "http://evil.test/x.dtd"><xml><Content>x</Content></xml>',
        '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>',
        "<xml><Content>unclosed</xml>",
        "",
        "<other><Content>x</Content></other>",
    ],
    ids=["entity", "external-dtd", "external-entity", "malformed", "empty", "wrong-root"],
)
def test_refuses_unacceptable_xml(text):
    with pytest.raises(MessageFormatError):
        parse_xml(text)


def test_render_puts_strings_in_cdata_and_numbers_bare():
    assert render_xml({"A": "x<y", "N": 5}) == "<xml><A><![CDATA[x<y]]></A><N>5</N></xml>"


def test_render_survives_cdata_terminator():
    text = "a]]>b"
    assert parse_xml(render_xml({"Content": text}))["Content"] == text


def test_render_nests_mappings_and_lists():
    xml = render_xml({"Articles": [{"Title": "t1"}, {"Title": "t2"}], "Image": {"MediaId": "m"}, "Skip": None})
    assert xml == (
        "<xml><Articles><item><Title><![CDATA[t1]]></Title></item><item><Title><![CDATA[t2]]></Title></item>"
        "</Articles><Image><MediaId><![CDATA[m]]></MediaId></Image></xml>"
    )


def test_render_rejects_tag_injection():
    with pytest.raises(ValueError):
        render_xml({"A><B": "x"})


def test_predefined_entities_character_references_comments_and_instructions():
    fields = parse_xml("<xml><A>&amp;&lt;&#20320;&#x597d;</A><B>a<!-- note -->b<?pi x?>c</B></xml>")
    assert fields == {"A": "&<你好", "B": "abc"}


def test_an_entity_bomb_is_refused_before_expansion():
    bomb = '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]><xml><A>&i;</A></xml>"
    with pytest.raises(MessageFormatError):
        parse_xml(bomb)
