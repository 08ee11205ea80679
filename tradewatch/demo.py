"""``tradewatch demo``: the main job, offline, on the bundled sample archive.

From an empty data directory: backfill the baseline night (alerts recorded, not
sent), run the nightly on the next sample night (validate, store, detect), write
the report, and print what happened. Everything it shows is SAMPLE DATA.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

BANNER = "SAMPLE DATA — generated to look like real KCS/Comtrade responses; not official figures"


def _isolate(data_dir: Path) -> None:
    """The demo never touches a configured database, archive or alert channel."""
    for k in list(os.environ):
        if k.startswith("TRADEWATCH_") and k not in ("TRADEWATCH_CONFIG",):
            del os.environ[k]
    os.environ["TRADEWATCH_CONFIG"] = str(data_dir / "no-config.toml")
    os.environ["TRADEWATCH_DATA_DIR"] = str(data_dir)
    os.environ["TRADEWATCH_SOURCES"] = "kcs,comtrade"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def run_demo(data_dir: Path, *, fresh: bool = False) -> int:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    con = Console()
    t0 = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _isolate(data_dir)

    from tradewatch import samples

    con.print(Panel.fit(f"[bold]tradewatch demo[/] — offline, SQLite, bundled sample archive\n[yellow]{BANNER}[/]"))
    from flows.flows import backfill, nightly

    con.print(
        f"1. baseline: backfill {samples.BASELINE_START}..{samples.BASELINE_END} as of the first sample night "
        f"({samples.NIGHT1:%Y-%m-%d}); alerts recorded, not sent"
    )
    base = backfill(
        start=samples.BASELINE_START,
        end=samples.BASELINE_END,
        sources=["kcs", "comtrade"],
        replay=str(samples.SAMPLE_ARCHIVE),
        as_of=samples.NIGHT1,
        send_alerts=False,
    )
    con.print(
        f"   stored {base['new_figures']:,} figures, {base['revisions']} revisions, "
        f"{len(base['alerts'])} alerts recorded as suppressed  [dim](status {base['status']})[/]"
    )

    con.print(
        f"2. nightly on the next sample night ({samples.NIGHT2:%Y-%m-%d}): new month {samples.LATEST_MONTH}, previous month revised"
    )
    night = nightly(
        sources=["kcs", "comtrade"], replay=str(samples.SAMPLE_ARCHIVE), as_of=samples.NIGHT2, send_alerts=True
    )
    con.print(
        f"   stored {night['new_figures']:,} new figures and {night['revisions']} revisions; "
        f"{len(night['quarantined'])} batches quarantined  [dim](status {night['status']})[/]"
    )
    for q in night["quarantined"]:
        con.print(f"   [yellow]quarantined[/] {q['batch']}: {', '.join(q['failed'])} — {q.get('data_docs')}")

    from db import Database
    from tradewatch.config import load_settings

    settings = load_settings()
    db = Database(settings.database_url)
    _print_alerts(con, night)
    _print_ranking(con, db)

    report_path = None
    try:
        from report import build_report

        report_path = build_report(db, settings, data_dir / "report.html")
    except ImportError:
        pass
    docs = settings.data_docs_dir
    where = Table.grid(padding=(0, 2))
    where.add_row("database", settings.database_url)
    where.add_row("raw archive", str(settings.archive_dir))
    where.add_row("Data Docs", str(docs) if docs.exists() else f"{docs} (written when a batch fails validation)")
    where.add_row("report", str(report_path) if report_path else "(report module not available)")
    con.print(Panel(where, title="where things are", expand=False))
    con.print(
        "To watch the live sources: set TRADEWATCH_KCS_SERVICE_KEY (data.go.kr, apply for nationtrade, nitemtrade and "
        "Newtrade), optionally TRADEWATCH_SLACK_WEBHOOK_URL / TRADEWATCH_SMTP_URL + TRADEWATCH_EMAIL_TO, then run "
        "`tradewatch backfill --start 2019-01 --end <last month>` once and `tradewatch serve` (or deploy/prefect.yaml) for the nightly schedule."
    )
    con.print(f"[yellow]{BANNER}[/]  [dim]demo finished in {time.perf_counter() - t0:.1f} s[/]")
    db.dispose()
    return 0


def _print_alerts(con, night: dict) -> None:
    from sqlalchemy import select

    from db import Database
    from db.models import AlertRow
    from tradewatch.config import load_settings

    ids = [a["id"] for a in night["alerts"]]
    if not ids:
        con.print(
            "[bold]alerts raised by this nightly run:[/] none (they were raised on an earlier run; a re-run never repeats them)"
        )
        return
    db = Database(load_settings().database_url)
    with db.session() as s:
        rows = s.execute(select(AlertRow).where(AlertRow.id.in_(ids)).order_by(AlertRow.id)).scalars().all()
    con.print(f"[bold]alerts raised by this nightly run ({len(rows)})[/] [yellow](SAMPLE DATA)[/]:")
    for a in rows:
        con.print(f"  [bold]{a.severity.upper():8}[/] [{a.rule}] {a.message}", highlight=False)
    db.dispose()


def _print_ranking(con, db) -> None:
    from rich.table import Table

    try:
        from db.queries import ranking
    except ImportError:
        return
    from tradewatch import samples
    from tradewatch.model import Period, countries

    latest = Period.parse(samples.LATEST_MONTH)
    prev = latest.previous()
    with db.session() as s:
        now = ranking(s, "KOR", "total", str(latest))[:6]
        before = {p: r for r, p, _ in ranking(s, "KOR", "total", str(prev))}
    t = Table(
        "rank",
        "partner",
        f"total trade {latest} (USD bn)",
        f"rank in {prev}",
        title="Korea's partners by total trade (SAMPLE DATA)",
    )
    for r, p, v in now:
        t.add_row(str(r), countries().get(p).name, f"{v / 1e9:,.2f}", str(before.get(p, "–")))
    con.print(t)
