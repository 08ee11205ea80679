"""Hostile input: entity bombs and external entities, markup and Slack control sequences in
scraped text, links off the configured hosts, archive paths that try to leave the archive,
and responses too large to hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fixtures.fault_server import Fault, fault_server
from tests.fixtures.receivers import HttpReceiver, SmtpReceiver
from tests.fixtures.scripted import scripted_server
from tests.reliability.conftest import check_night, current_figures, dump_all_tables, make_settings, nightly
from tradewatch import samples
from tradewatch.errors import ArchiveError, DisallowedHost, ResponseTooLarge, UnsafeXML

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<response><header><resultCode>00</resultCode><resultMsg>&lol9;</resultMsg></header><body><items/></body></response>"""


def xxe(path: Path) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://' + str(path) + '">]>\n'
        "<response><header><resultCode>00</resultCode><resultMsg>ok</resultMsg></header><body><items><item>"
        "<year>2026.10</year><statCd>VN</statCd><statCdCntnKor1>&xxe;</statCdCntnKor1><expDlr>1</expDlr><impDlr>1</impDlr>"
        "<balPayments>0</balPayments></item></items></body></response>"
    ).encode()


HOSTILE_TEXTS = {
    "bomb": BILLION_LAUGHS,
    "bomb_lowercase_doctype": BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype"),
    "bomb_utf16": BILLION_LAUGHS.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_entity_bombs_are_refused_before_expansion(name):
    from scrapers.xmlsafe import parse_xml

    with pytest.raises(UnsafeXML):
        parse_xml(HOSTILE_TEXTS[name], source="kcs", url="http://127.0.0.1/x")


def test_external_entity_is_refused_and_never_read(tmp_path):
    from scrapers.xmlsafe import parse_xml

    secret = tmp_path / "passwd"
    secret.write_text("XXE-MARKER-41f7")
    with pytest.raises(UnsafeXML):
        parse_xml(xxe(secret), source="kcs", url="http://127.0.0.1/x")


@pytest.mark.slow
def test_hostile_xml_on_a_night_is_a_named_error_and_stores_nothing(baseline_dir, baseline_figures, tmp_path):
    from db import Database

    secret = tmp_path / "secret.txt"
    secret.write_text("XXE-MARKER-41f7")
    faults = [
        Fault("body", path="nationtrade", body=BILLION_LAUGHS),
        Fault("body", path="Newtrade", body=xxe(secret)),
        Fault("body", path="nitemtrade", body=xxe(secret)),
    ]
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, *faults) as srv:
        settings = make_settings(baseline_dir, srv.url)
        summary = nightly(settings, send_alerts=False)
    kcs = summary.to_dict()["sources"]["kcs"]
    assert len(kcs["errors"]) == 8 and all("DOCTYPE" in e or "ENTITY" in e for e in kcs["errors"]), kcs["errors"]
    assert kcs["status"] == "failed"
    db = Database(settings.database_url)
    try:
        assert current_figures(db) == baseline_figures[0]
        assert "XXE-MARKER-41f7" not in dump_all_tables(db)
    finally:
        db.dispose()


# --- scraped text in alerts ---------------------------------------------------------------------------

# What a hostile server puts in KCS's resultMsg (XML-escaped on the wire).
SCRAPED = "<script>alert(1)</script> &lt;b&gt;bold&lt;/b&gt; <!channel> <@U123> <!here|here> @everyone"


def _service_error(msg: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        '<?xml version="1.0" encoding="UTF-8"?><response><header><resultCode>99</resultCode>'
        f"<resultMsg>{escape(msg)}</resultMsg></header></response>"
    ).encode()


@pytest.mark.slow
def test_scraped_markup_and_slack_control_sequences_arrive_escaped(baseline_dir):
    """Three failing nights raise a source-health alert quoting the source's own error text.

    The alert is raised when the third night closes its sources, before that night's
    delivery, so it goes out that same night; a fourth night does not repeat it.
    """
    with (
        fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, Fault("body", body=_service_error(SCRAPED))) as srv,
        HttpReceiver() as slack,
        SmtpReceiver() as smtp,
    ):
        settings = make_settings(
            baseline_dir,
            srv.url,
            slack_webhook_url=slack.url("/hook"),
            smtp_url=smtp.url(),
            email_from="tw@example.test",
            email_to=["desk@example.test"],
        )
        for _ in range(4):
            nightly(settings)
    assert len(slack.requests) == 1 and len(smtp.mails) == 1, (len(slack.requests), len(smtp.mails))
    payload = slack.requests[0].body.decode("utf-8")
    text = json.dumps(json.loads(payload), ensure_ascii=False)
    assert "alert(1)" in text  # the error text is there...
    for raw in ("<script>", "<!channel>", "<@U123>", "<!here", "<b>"):
        assert raw not in text, f"{raw!r} reached Slack unescaped"  # ...but inert
    assert "&lt;!channel&gt;" in text and "&lt;@U123&gt;" in text
    html = smtp.mails[0].part("text/html")
    assert "alert(1)" in html
    for raw in ("<script>", "<b>bold"):
        assert raw not in html, f"{raw!r} reached the email's HTML unescaped"
    assert "&lt;script&gt;" in html


# --- links off the configured hosts -----------------------------------------------------------------


def test_a_link_off_the_configured_hosts_is_not_followed(tmp_path):
    from scrapers.archive import Archive
    from scrapers.http import Fetcher, Request

    with scripted_server() as home, scripted_server() as elsewhere:
        off_host = elsewhere.url.replace("127.0.0.1", "localhost") + "/steal"
        home.on("/release", {"status": 302, "headers": {"Location": off_host}, "body": b""})
        elsewhere.on("/steal", {"status": 200, "body": b"<html>not ours</html>"})
        with Fetcher(Archive(tmp_path / "archive"), max_retries=0, backoff_base=0) as f:
            allowed = ("127.0.0.1",)
            with pytest.raises(DisallowedHost):
                f.fetch(Request("releases", off_host, allowed_hosts=allowed))
            snap = f.fetch(Request("releases", home.url + "/release", allowed_hosts=allowed))
        assert snap.status == 302  # the redirect is recorded, not followed
        assert elsewhere.hits("/steal") == 0


# --- archive paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../../../etc/passwd", "/etc/passwd", "..", "ab/../../cd" + "0" * 54, "A" * 64, ""])
def test_archive_object_and_request_paths_cannot_leave_the_archive(tmp_path, bad):
    from scrapers.archive import Archive

    a = Archive(tmp_path / "archive")
    with pytest.raises(ArchiveError):
        a.object_path(bad)
    with pytest.raises(ArchiveError):
        a.request_dir(bad)
    with pytest.raises(ArchiveError):
        a.get(bad)


def test_a_replayed_record_cannot_steer_writes_outside_the_archive(tmp_path):
    from scrapers.archive import Archive

    other = Archive(tmp_path / "replay")
    snap = other.store(
        b"<response/>",
        source="kcs",
        method="GET",
        url="http://127.0.0.1/x",
        params={},
        request_key="0" * 32,
        status=200,
        headers={},
        fetched_at=samples.NIGHT2,
    )
    record = next((tmp_path / "replay" / "requests").glob("*/*/*.json"))
    data = json.loads(record.read_text())
    data["request_key"] = "../../../../outside"
    record.write_text(json.dumps(data))
    mine = Archive(tmp_path / "mine")
    evil = next(other.snapshots())
    with pytest.raises(ArchiveError):
        mine.import_snapshot(evil)
    assert not (tmp_path / "outside").exists()
    assert snap.sha256


def test_a_symlink_out_of_the_archive_is_refused(tmp_path):
    from scrapers.archive import Archive

    outside = tmp_path / "outside"
    outside.mkdir()
    a = Archive(tmp_path / "archive")
    (tmp_path / "archive" / "objects").mkdir(parents=True)
    os.symlink(outside, tmp_path / "archive" / "objects" / "ab")
    with pytest.raises(ArchiveError):
        a.put(_bytes_with_prefix("ab"))
    assert list(outside.iterdir()) == []


def _bytes_with_prefix(prefix: str) -> bytes:
    """Some bytes whose sha256 starts with ``prefix``."""
    import hashlib

    i = 0
    while True:
        b = str(i).encode()
        if hashlib.sha256(b).hexdigest().startswith(prefix):
            return b
        i += 1


# --- size limit --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "content-length"])
def test_a_huge_response_is_cut_off_at_the_size_limit(baseline_dir, baseline_figures, clean_night, declared):
    from db import Database

    limit = 2_000_000
    big = b'<?xml version="1.0" encoding="UTF-8"?><response>' + b"<x/>" * (limit // 2) + b"</response>"
    fault = (
        Fault("body", path="nationtrade", body=big) if declared else Fault("huge", path="nationtrade", size=limit * 2)
    )
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, fault) as srv:
        settings = make_settings(baseline_dir, srv.url, max_response_bytes=limit)
        summary = nightly(settings, send_alerts=False)
    kcs = summary.to_dict()["sources"]["kcs"]
    too_large = [e for e in kcs["errors"] if f"exceeds the size limit of {limit} bytes" in e]
    assert len(too_large) == 1 and "nationtrade" in too_large[0], kcs["errors"]
    db = Database(settings.database_url)
    try:
        check = check_night(baseline_figures[1], db, baseline_figures[0], clean_night["figures"])
        assert check.lost == [] and check.wrong == []
    finally:
        db.dispose()


def test_fetcher_raises_response_too_large(tmp_path):
    from scrapers.archive import Archive
    from scrapers.http import Fetcher, Request

    with scripted_server() as s:
        s.on("/big", {"status": 200, "body": b"x" * 5000})
        with (
            Fetcher(Archive(tmp_path / "a"), max_response_bytes=1000, max_retries=0) as f,
            pytest.raises(ResponseTooLarge),
        ):
            f.fetch(Request("kcs", s.url + "/big"))
        assert not list((tmp_path / "a").glob("requests/*/*/*.json"))  # nothing cut short was archived
