"""Safe XML parsing: no DTDs, no entities, named errors for broken bytes."""

from __future__ import annotations

import pytest

from scrapers.xmlsafe import children_text, parse_xml, sniff
from tests.scrapers.conftest import data
from tradewatch.errors import ParseError, UnsafeXML

URL = "https://apis.data.go.kr/1220000/nationtrade/getNationtradeList?endYymm=202603&strtYymm=202601"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<response><header><resultCode>&lol9;</resultCode></header></response>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<response><header><resultCode>00</resultCode><resultMsg>&xxe;</resultMsg></header></response>"""


def test_a_real_response_parses():
    root = parse_xml(data("kcs_nationtrade_US_202601-03.xml"), source="kcs", url=URL)
    items = root.findall("body/items/item")
    assert len(items) == 3
    assert children_text(items[0])["statCdCntnKor1"] == "미국"


def test_billion_laughs_is_refused_before_expansion():
    with pytest.raises(UnsafeXML) as ei:
        parse_xml(BILLION_LAUGHS, source="kcs", url=URL)
    assert "DOCTYPE" in str(ei.value) and "kcs" in str(ei.value) and URL in str(ei.value)


def test_external_entity_is_refused():
    with pytest.raises(UnsafeXML):
        parse_xml(EXTERNAL_ENTITY, source="kcs", url=URL)


def test_entity_declaration_without_doctype_keyword_case_is_refused():
    doc = b'<?xml version="1.0"?><!doctype r [<!entity a "b">]><r>&a;</r>'
    with pytest.raises(UnsafeXML):
        parse_xml(doc, source="kcs", url=URL)


def test_doctype_hidden_in_utf16_is_refused():
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'.encode("utf-16")
    with pytest.raises(UnsafeXML):
        parse_xml(doc, source="kcs", url=URL)


def test_undeclared_entity_is_not_expanded_and_fails_cleanly():
    with pytest.raises(ParseError) as ei:
        parse_xml(b"<r>&foo;</r>", source="kcs", url=URL)
    assert not isinstance(ei.value, UnsafeXML)


def test_truncated_document_is_a_parse_error_naming_source_and_url():
    body = data("kcs_nationtrade_US_202601-03.xml")
    with pytest.raises(ParseError) as ei:
        parse_xml(body[: len(body) // 2], source="kcs", url=URL)
    assert "truncated" in str(ei.value) and ei.value.source == "kcs" and ei.value.url == URL


def test_truncated_at_a_tag_boundary():
    body = data("kcs_nationtrade_US_202601-03.xml")
    cut = body[: body.index(b"</items>")]
    with pytest.raises(ParseError, match="truncated"):
        parse_xml(cut, source="kcs", url=URL)


def test_euc_kr_bytes_declared_utf8_is_a_parse_error():
    body = data("kcs_nationtrade_US_202601-03.xml").decode("utf-8").encode("euc-kr")
    with pytest.raises(ParseError) as ei:
        parse_xml(body, source="kcs", url=URL)
    assert "encoding" in str(ei.value)


@pytest.mark.parametrize(
    "body, kind",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"OpenAPI_ServiceResponse": {}}', "json"),
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "html"),
        (b"<html><head><title>502</title></head></html>", "html"),
        (b'<?xml version="1.0"?><response><body><items/></body></response>', "xml"),
        (b"\xef\xbb\xbf<response/>", "xml"),
        (b"Service Unavailable", "other"),
    ],
)
def test_sniff(body, kind):
    assert sniff(body) == kind
