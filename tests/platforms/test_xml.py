import pytest
from hypothesis import given
from hypothesis import strategies as st

from platforms.errors import MessageFormatError
from platforms.xml import parse_flat, parse_general, parse_xml, render_xml
from tests.fuzz_budget import fuzz_settings


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


# -- the flat form: read without expat, always as expat reads it --------------------------------------------

# Pieces a document is built from: mostly the platforms' own shapes, sometimes a near miss that must go to expat.
def _mostly(usual: list[str], unusual: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(usual * 12 + unusual)


_TAGS = _mostly(["ToUserName", "Encrypt", "MsgId", "A_1", "xml"], ["a.b", "x-y", "1a", "é", "a:b", "Other"])
_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.text(max_size=12) | st.sampled_from(
    ["]]>", "]]", "]", "]>", "&amp;", "&#20320;", "a\r\nb", "\r", "\x00", "\x0b", "\x7f", "\x85", "\ufffe",
     "\ud800", "<", ">", "<![CDATA[x]]>", "<!-- c -->", "<?pi x?>", "你好", "\U0001f600", "\t \n"])
_SPACE = _mostly(["", " ", "\n", "\t", "  \n\t"], ["\r\n", "x", "\u3000", "\x0c"])


@st.composite
def _documents(draw: st.DrawFn) -> str:
    parts = [draw(_mostly(["", "", " \n"], ['<?xml version="1.0"?>', "\ufeff", "<!-- c -->", "<!DOCTYPE xml>"])),
             draw(_mostly(["<xml>"], ["<xml >", "<xml a='1'>", "<Xml>", "<other>", "<xml/>"]))]
    for _ in range(draw(st.integers(0, 5))):
        tag, text = draw(_TAGS), draw(_TEXT)
        body = draw(_mostly([f"<![CDATA[{text}]]>", text], [
            f"<![CDATA[{text}]]><![CDATA[{text}]]>", f"<Inner>{text}</Inner>", f" <![CDATA[{text}]]>"]))
        close = draw(_mostly([tag], ["Other", f"{tag} "]))
        element = draw(_mostly([f"<{tag}>{body}</{close}>"], [f"<{tag}/>", f"<{tag} a='1'>{body}</{tag}>"]))
        parts += [draw(_SPACE), element]
    parts += [draw(_SPACE), draw(_mostly(["</xml>"], ["</other>", "", "</xml></xml>"])), draw(_SPACE)]
    return "".join(parts)


def _expat(document: str | bytes) -> dict[str, str] | str:
    try:
        return parse_general(document)
    except MessageFormatError:
        return "refused"


#: Any text XML allows in an element, less CR (which it turns into LF) and what markup starts with.
_PLAIN = st.text(st.characters(codec="utf-8", exclude_characters="".join(map(chr, [*range(9), *range(11, 32)]))
                               + "\r<&]\ufffe\uffff"), max_size=20)


@st.composite
def _flat_documents(draw: st.DrawFn) -> str:
    """The platforms' shape: elements holding plain text or CDATA (which may hold ``<``, ``&`` and ``]``)."""
    elements = []
    for _ in range(draw(st.integers(0, 8))):
        tag = draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))
        text = draw(_PLAIN)
        pieces = draw(st.lists(_PLAIN | st.sampled_from(["<b>", "&amp;", "]", "]]", "]>", "] ]>"])))
        cdata = "".join(pieces).replace("]]>", "]] >")  # the one thing CDATA cannot hold
        elements.append(draw(st.sampled_from(["", " ", "\n  "])) + draw(st.sampled_from(
            [f"<{tag}><![CDATA[{cdata}]]></{tag}>", f"<{tag}>{text}</{tag}>"])))
    return "<xml>" + "".join(elements) + draw(st.sampled_from(["", "\n"])) + "</xml>"


@fuzz_settings(200)
@given(_flat_documents(), st.booleans())
def test_the_flat_form_is_read_without_expat_and_as_expat_reads_it(document, as_bytes):
    text = document.encode() if as_bytes else document
    fields = parse_flat(text)
    assert fields is not None
    assert fields == parse_general(text)


@fuzz_settings(400)
@given(_documents(), st.booleans())
def test_a_near_miss_of_the_flat_form_is_left_to_expat(document, as_bytes):
    text = document.encode("utf-8", "surrogatepass") if as_bytes else document
    flat = parse_flat(text)
    if flat is not None:
        assert flat == _expat(text)


@pytest.mark.parametrize("document", [
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[a+b/c==]]></Encrypt></xml>",
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]>"
    "</MsgType><Content><![CDATA[<b>&amp;</b> ]] ]>]]></Content><MsgId>1234567890123456</MsgId></xml>",
    "<xml>\n  <Event><![CDATA[subscribe]]></Event>\n  <EventKey></EventKey>\n</xml>\n",
], ids=["envelope", "text-message", "indented"])
def test_what_the_platforms_send_takes_the_flat_path(document):
    fields = parse_flat(document.encode())
    assert fields is not None
    assert fields == parse_general(document.encode())
