"""The bundled sample archive: deterministic, up to date, anchored, and telling the night-2 story."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from scrapers.archive import Archive
from scrapers.comtrade import Comtrade
from scrapers.kcs import KcsNationTrade
from tradewatch.model import Period, rank_partners
from tradewatch.samples import BASELINE_END, BASELINE_START, LATEST_MONTH, NIGHT1, NIGHT2, SAMPLE_ARCHIVE
from tradewatch.samples.generate import generate, sample_settings

BN = 1_000_000_000


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def figures():
    """Every observation in the bundled archive, as of each night: {night: {key: value}}."""
    settings = sample_settings(Path("data"))
    sources = {"kcs": KcsNationTrade(settings), "comtrade": Comtrade(settings)}
    archive = Archive(SAMPLE_ARCHIVE)
    out = {1: {}, 2: {}}
    partners_per_month = defaultdict(set)
    for snap in sorted(archive.snapshots(), key=lambda s: s.fetched_at):
        night = 1 if snap.fetched_at == NIGHT1 else 2
        for o in sources[snap.source].parse(snap).observations:
            for n in (1, 2) if night == 1 else (2,):
                out[n][o.key] = o.value_usd
            if snap.url.endswith("getNationtradeList"):
                partners_per_month[str(o.period)].add(o.partner)
    out["partners"] = partners_per_month
    return out


def kcs(figs, partner, flow, period, commodity="TOTAL"):
    p = Period.parse(period)
    return sum(
        figs.get(("KOR", partner, flow, str(m), commodity, "kcs"), 0) for m in p.month_list()
    )  # absent = no trade


def near(value, anchor_bn):
    return abs(value - anchor_bn * BN) <= 0.005 * anchor_bn * BN


def test_generator_is_deterministic_and_the_bundled_archive_is_its_output(tmp_path):
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b and len(a) > 100
    assert a == tree(SAMPLE_ARCHIVE), "the bundled archive is stale: run python -m tradewatch.samples.generate --force"


def test_generator_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("keep me")
    with pytest.raises(SystemExit):
        generate(tmp_path / "x")
    assert (tmp_path / "x" / "f").read_text() == "keep me"


def test_every_snapshot_is_labelled_sample_and_keyed_like_the_sources_requests():
    archive = Archive(SAMPLE_ARCHIVE)
    snaps = list(archive.snapshots())
    assert all(s.sample and s.note.startswith("SAMPLE DATA") for s in snaps)
    assert {s.fetched_at for s in snaps} == {NIGHT1, NIGHT2}
    settings = sample_settings(Path("data"))
    kcs_src, ct = KcsNationTrade(settings), Comtrade(settings)
    night1 = [
        r
        for w in kcs_src.windows(Period.parse(BASELINE_START), Period.parse(BASELINE_END))
        for r in kcs_src.requests(w)
    ]
    night2 = [r for w in kcs_src.windows(*kcs_src.nightly_range(NIGHT2.date())) for r in kcs_src.requests(w)]
    night2 += [r for w in ct.windows(*ct.nightly_range(NIGHT2.date())) for r in ct.requests(w)]
    for r in night1:
        assert archive.latest(r.key, NIGHT1) is not None, r.label
    for r in night2:
        snap = archive.latest(r.key, NIGHT2)
        assert snap is not None and snap.fetched_at == NIGHT2, r.label
    assert len(snaps) == len(night1) + 14 + len(night2)  # + Comtrade 2019-2025 x KOR, VNM on night 1
    size = sum(p.stat().st_size for p in SAMPLE_ARCHIVE.rglob("*") if p.is_file())
    assert size < 8.5e6


def test_anchors(figures):
    f = figures[2]
    assert near(kcs(f, "VNM", "export", "2022-01..2022-12"), 60.98) and near(
        kcs(f, "VNM", "import", "2022-01..2022-12"), 26.72
    )
    assert near(kcs(f, "VNM", "export", "2023-01..2023-12"), 53.49) and near(
        kcs(f, "VNM", "import", "2023-01..2023-12"), 25.94
    )
    assert near(kcs(f, "VNM", "total", "2023-01..2023-12"), 79.43)
    assert near(kcs(f, "CHN", "total", "2023-01..2023-12"), 267.66)
    assert near(kcs(f, "USA", "total", "2023-01..2023-12"), 186.96)
    assert near(kcs(f, "JPN", "total", "2023-01..2023-12"), 76.68)
    assert near(kcs(f, "VNM", "total", "2024-01..2024-12"), 86.7)
    assert near(kcs(f, "VNM", "export", "2024-01..2024-12"), 58.3) and near(
        kcs(f, "VNM", "import", "2024-01..2024-12"), 28.4
    )
    assert near(kcs(f, "CHN", "total", "2024-01..2024-12"), 272.9) and near(
        kcs(f, "USA", "total", "2024-01..2024-12"), 199.9
    )
    year2023 = {
        a: kcs(f, a, "total", "2023-01..2023-12")
        for a in {k[1] for k in f if k[3] == "2023-01" and k[5] == "kcs" and k[4] == "TOTAL"}
    }
    year2023.pop("WLD")
    assert [p for _, p, _ in rank_partners(year2023)[:4]] == ["CHN", "USA", "VNM", "JPN"]
    # the real recorded US rows, exactly
    assert f[("KOR", "USA", "export", "2026-01", "TOTAL", "kcs")] == 12006733027
    assert f[("KOR", "USA", "balance", "2026-03", "TOTAL", "kcs")] == 9183418291


def test_comtrade_anchors(figures):
    f = figures[1]
    assert near(f[("VNM", "KOR", "export", "2024", "TOTAL", "comtrade")], 25.6)
    assert near(f[("VNM", "KOR", "import", "2024", "TOTAL", "comtrade")], 55.9)
    assert near(-f[("VNM", "KOR", "balance", "2022", "TOTAL", "comtrade")], 34.25)
    assert near(f[("VNM", "KOR", "export", "2021", "TOTAL", "comtrade")], 21.95)
    # Korea's own Comtrade report is its customs total
    assert f[("KOR", "VNM", "export", "2023", "TOTAL", "comtrade")] == kcs(f, "VNM", "export", "2023-01..2023-12")


def monthly_ranking(figs, month):
    totals = {
        k[1]: v
        for k, v in figs.items()
        if k[2] == "total" and k[3] == month and k[4] == "TOTAL" and k[5] == "kcs" and k[1] != "WLD"
    }
    return [p for _, p, _ in rank_partners(totals)]


def test_night_two_story(figures):
    n1, n2 = figures[1], figures[2]
    assert monthly_ranking(n1, "2026-09")[:4] == ["CHN", "USA", "VNM", "JPN"]
    assert monthly_ranking(n2, "2026-09")[:4] == ["CHN", "USA", "VNM", "JPN"]
    assert monthly_ranking(n2, LATEST_MONTH)[:4] == ["CHN", "USA", "JPN", "VNM"]
    assert not any(k[3] == LATEST_MONTH for k in n1)
    # revisions of 2026-09: a few partners, each by 0.5-3 %
    revised = {k[1] for k in n1 if k[3] == "2026-09" and k[4] == "TOTAL" and k[1] != "WLD" and n1[k] != n2[k]}
    assert 3 <= len(revised) <= 8 and "VNM" not in revised and "JPN" not in revised
    for k in n1:
        if (
            k[3] == "2026-09"
            and k[2] in ("export", "import")
            and k[4] == "TOTAL"
            and k[1] in revised
            and n1[k] != n2[k]
        ):
            assert 0.005 <= abs(n2[k] / n1[k] - 1) <= 0.03
    # months before 2026-09 are unchanged between the nights
    assert all(n2[k] == v for k, v in n1.items() if k[3] == "2026-08")
    # Korea's balance with Vietnam, 2026-10 against 2025-10
    new, old = (
        n2[("KOR", "VNM", "balance", "2026-10", "TOTAL", "kcs")],
        n2[("KOR", "VNM", "balance", "2025-10", "TOTAL", "kcs")],
    )
    assert abs(new - old) > 100_000_000 and abs(new - old) > 0.10 * abs(old)


def test_partners_per_month_and_items(figures):
    counts = {m: len(ps) for m, ps in figures["partners"].items()}
    assert set(counts) == {str(m) for m in Period.months(BASELINE_START, LATEST_MONTH).month_list()}
    assert min(counts.values()) >= 225 and max(counts.values()) <= 237
    f = figures[2]
    for a3 in ("VNM", "CHN", "USA", "JPN", "HKG", "TWN"):
        assert (
            f[("KOR", a3, "export", LATEST_MONTH, "8542", "kcs")]
            < f[("KOR", a3, "export", LATEST_MONTH, "TOTAL", "kcs")]
        )
    world = f[("KOR", "WLD", "total", "2026-10", "TOTAL", "kcs")]
    summed = sum(
        v
        for k, v in f.items()
        if k[2] == "total" and k[3] == "2026-10" and k[4] == "TOTAL" and k[5] == "kcs" and k[1] != "WLD"
    )
    assert 0 < world / summed - 1 < 0.001  # Newtrade differs slightly from the partner sum, as real totals do
