"""Release figures checked one by one against the official figures (flows.corroborate), through the real pipeline.

The pair of fixtures: the official figures — Vietnam customs' real June 2026 exports bulletin
(``tests/scrapers/data/vn_customs_2026-t6-5x_ta-sb.pdf``, stored by the nightly vn_customs run from a
local server) and KCS rows for Korea's June 2026 trade with Vietnam (stored as the KCS source stores
them) — and a synthetic English release page (``data/release_vnm_kor_2026h1_synthetic.html``) read by
the ``releases`` source from a local feed. Of its five figures two agree with the official ones, two
disagree and one has no official figure stored.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from db import store as dbstore
from db.models import AlertRow, CorroborationRow, ObservationRow, QuarantineRow, ValidationRunRow
from flows import pipeline as p
from tests.fixtures.scripted import scripted_server
from tradewatch.model import Flow, Observation, Period

HERE = Path(__file__).parent
SCRAPER_DATA = HERE.parent / "scrapers" / "data"
PAGE = HERE / "data" / "release_vnm_kor_2026h1_synthetic.html"
BULLETIN_PATH = "/CustomsCMS/TONG_CUC/2026/7/9/2026-t6-5x(ta-sb).pdf"

# KCS's June 2026 figures for Korea-Vietnam as the test stores them (made up, in KCS's exact dollars)
KCS_EXPORT, KCS_IMPORT = 4_853_120_455, 2_351_042_118
VN_EXPORT_JUNE, VN_EXPORT_H1 = 2_686_575_961, 15_862_169_347  # the real bulletin's Korea row


def _store_official(db, settings) -> None:
    """Vietnam customs' bulletin through its nightly run; KCS's two rows as the KCS source stores them."""
    with scripted_server() as srv:
        item = {
            "tieuDe": "Xuất khẩu hàng hóa theo nước/vùng lãnh thổ - mặt hàng chủ yếu tháng 6/2026 (sơ bộ)",
            "fileSoBo": srv.url + BULLETIN_PATH,
            "fileChinhThuc": "",
            "fileDieuChinh": None,
            "ngaySoBo": "09/07/2026",
            "ngayChinhThuc": "",
        }
        srv.on(
            "/bridge", {"body": json.dumps({"data": [item]}).encode(), "headers": {"Content-Type": "application/json"}}
        )
        srv.on(
            BULLETIN_PATH,
            {
                "body": (SCRAPER_DATA / "vn_customs_2026-t6-5x_ta-sb.pdf").read_bytes(),
                "headers": {"Content-Type": "application/pdf"},
            },
        )
        s = settings.model_copy(update={"vn_customs_base_url": srv.url})
        run = p.open_run(s, "nightly", {"sources": ["vn_customs"]}, db=db, today=date(2026, 7, 15), send_alerts=False)
        try:
            p.run_windows(run, p.plan(run, ["vn_customs"]))
            summary = p.finish_run(run)
        finally:
            run.close()
    assert summary.outcome("vn_customs").stored == 170, summary.to_dict()
    june = Period.parse("2026-06")
    with db.transaction() as sess:
        dbstore.store_batch(
            sess,
            [
                Observation("KOR", "VNM", Flow.EXPORT, june, KCS_EXPORT, "kcs", maturity="preliminary"),
                Observation("KOR", "VNM", Flow.IMPORT, june, KCS_IMPORT, "kcs", maturity="preliminary"),
            ],
            run_id="kcs-fixture",
        )


def _run_release(db, settings):
    with scripted_server() as srv:
        feed = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Trade news</title>'
            f"<item><title>Viet Nam - Republic of Korea trade in the first half of 2026</title>"
            f"<link>{srv.url}/news/vnm-kor-2026h1.html</link><pubDate>Mon, 20 Jul 2026 08:00:00 +0700</pubDate></item>"
            "</channel></rss>"
        ).encode()
        srv.on("/feed.xml", {"body": feed, "headers": {"Content-Type": "application/rss+xml"}})
        srv.on(
            "/news/vnm-kor-2026h1.html",
            {"body": PAGE.read_bytes(), "headers": {"Content-Type": "text/html; charset=utf-8"}},
        )
        s = settings.model_copy(update={"releases_feeds": [f"{srv.url}/feed.xml"]})
        run = p.open_run(s, "nightly", {"sources": ["releases"]}, db=db, today=date(2026, 7, 20))
        try:
            p.run_windows(run, p.plan(run, ["releases"]))
            summary = p.finish_run(run)
        finally:
            run.close()
    return summary


def test_release_figures_are_corroborated_or_held_back_one_by_one(db, settings):
    _store_official(db, settings)
    with db.session() as sess:
        official_before = sorted(
            (r.source, r.reporter, r.partner, r.flow, r.period, r.value_usd, r.id)
            for r in sess.execute(
                select(ObservationRow).where(ObservationRow.source.in_(["kcs", "vn_customs"]))
            ).scalars()
        )
        alerts_before = set(sess.execute(select(AlertRow.dedup_key)).scalars())

    summary = _run_release(db, settings)
    out = summary.outcome("releases")
    assert out.errors == [], out.errors
    assert (out.corroborated, out.held_back, out.stored) == (2, 2, 1), summary.to_dict()["sources"]["releases"]

    with db.session() as sess:
        # agreeing: recorded as corroboration of the official figure, with the release's words
        cor = {(c.reporter, c.flow, c.period): c for c in sess.execute(select(CorroborationRow)).scalars()}
        assert set(cor) == {("VNM", "export", "2026-06"), ("KOR", "export", "2026-06")}
        vn = cor[("VNM", "export", "2026-06")]
        assert (vn.reference_source, vn.reference_value_usd, vn.value_usd) == (
            "vn_customs",
            VN_EXPORT_JUNE,
            2_690_000_000,
        )
        assert vn.difference_usd == 2_690_000_000 - VN_EXPORT_JUNE and vn.source == "releases"
        assert vn.quote and "US$2.69 billion" in vn.quote and vn.source_url.endswith("/news/vnm-kor-2026h1.html")
        kr = cor[("KOR", "export", "2026-06")]
        assert (kr.reference_source, kr.reference_value_usd, kr.value_usd) == ("kcs", KCS_EXPORT, 4_850_000_000)

        # disagreeing: held back, each alone, with both values, the difference, the reference and the quote
        held = {
            q.rows[0]["reporter"] + " " + q.rows[0]["flow"] + " " + q.rows[0]["period"]: q
            for q in sess.execute(select(QuarantineRow)).scalars()
        }
        assert set(held) == {"VNM export 2026-01..2026-06", "KOR import 2026-06"}
        h1 = held["VNM export 2026-01..2026-06"]
        assert h1.state == "pending" and h1.n_rows == 1 and h1.batch_key.startswith("held back: ")
        assert h1.rows[0]["value_usd"] == 16_200_000_000 and "US$16.2 billion" in h1.rows[0]["quote"]
        assert "16,200,000,000" in h1.reason and f"{VN_EXPORT_H1:,}" in h1.reason and "vn_customs" in h1.reason
        assert f"{16_200_000_000 - VN_EXPORT_H1:+,}" in h1.reason and "US$16.2 billion" in h1.reason
        from flows.review import review_markdown

        md = review_markdown(sess, h1)  # what the reviewer of the held-back figure reads
        assert f"{VN_EXPORT_H1:,}" in md and "16,200,000,000" in md and "US$16.2 billion" in md
        kimp = held["KOR import 2026-06"]
        assert "2,100,000,000" in kimp.reason and f"{KCS_IMPORT:,}" in kimp.reason and "kcs" in kimp.reason

        # the rest of the release is stored: the one figure with no official figure, noted as uncorroborated
        rel = sess.execute(select(ObservationRow).where(ObservationRow.source == "releases")).scalars().all()
        assert [(r.reporter, r.partner, r.flow, r.period, r.value_usd) for r in rel] == [
            ("VNM", "KOR", "import", "2026-06", 4_120_000_000)
        ]
        vrun = sess.execute(select(ValidationRunRow).where(ValidationRunRow.source == "releases")).scalar_one()
        assert vrun.success
        assert any("VNM import KOR 2026-06" in n and "uncorroborated" in n for n in vrun.report["notes"])

        # the official figures stay the figures of record: no revision, nothing added
        official_after = sorted(
            (r.source, r.reporter, r.partner, r.flow, r.period, r.value_usd, r.id)
            for r in sess.execute(
                select(ObservationRow).where(ObservationRow.source.in_(["kcs", "vn_customs"]))
            ).scalars()
        )
        assert official_after == official_before

        # no ranking or balance alert from the release: only one quality alert per held-back figure
        new_alerts = sess.execute(select(AlertRow).where(AlertRow.dedup_key.not_in(alerts_before))).scalars().all()
        assert sorted(a.rule for a in new_alerts) == ["quality.quarantine", "quality.quarantine"]
        assert all("held back" in a.title for a in new_alerts)
    assert {q["batch"] for q in summary.quarantined} == {h1.batch_key, kimp.batch_key}

    # the same release read again records nothing twice and alerts nothing new
    run = p.open_run(settings, "reprocess", {}, db=db, today=date(2026, 7, 20))
    try:
        p.reprocess_archive(run, ["releases"], None)
        again = p.finish_run(run)
    finally:
        run.close()
    o2 = again.outcome("releases")
    assert (o2.corroborated, o2.held_back, o2.stored, o2.quarantined) == (0, 0, 0, 0), again.to_dict()["sources"]
    assert again.alerts == [] and again.quarantined == []
    with db.session() as sess:
        assert len(sess.execute(select(CorroborationRow)).scalars().all()) == 2
        assert len(sess.execute(select(QuarantineRow)).scalars().all()) == 2


def test_status_counts_corroborated_and_held_back_figures(db, settings):
    from rich.console import Console

    from report.status import collect_status, print_status

    _store_official(db, settings)
    summary = _run_release(db, settings)
    st = collect_status(db, settings)
    assert st["release_figures"] == {"corroborated": 2, "held_back": 2, "held_back_pending": 2}
    con = Console(record=True, width=200, color_system=None)
    print_status(st, con)
    assert "Release figures: 2 corroborated by the official figures, 2 held back for disagreeing (2 awaiting" in (
        con.export_text()
    )
    row = summary.to_dict()["sources"]["releases"]
    assert (row["corroborated"], row["held_back"]) == (2, 2)
    from flows.artifacts import summary_markdown

    assert "release figures: **2** corroborated by the official figures, **2** held back" in summary_markdown(summary)
