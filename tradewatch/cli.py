"""The command line. Heavy modules (Prefect, Great Expectations, pandas) load inside commands."""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NoReturn

import typer

from tradewatch.errors import TradewatchError

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# A flow run without PREFECT_API_URL starts an ephemeral API server, which Prefect gives
# 20 s to come up; on a busy machine (a laptop, a shared CI runner) that is not enough.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

app = typer.Typer(
    help="tradewatch: nightly monitoring of official Korea–Vietnam trade statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
quarantine_app = typer.Typer(
    help="Batches that failed validation: list, show, accept or reject them.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")
automations_app = typer.Typer(
    help="The Prefect automations tradewatch keeps: the dead man's switch on the nightly.", no_args_is_help=True
)
app.add_typer(automations_app, name="automations")


def _settings():
    from tradewatch.config import load_settings

    return load_settings()


def _db(settings=None):
    from db import Database

    return Database((settings or _settings()).database_url)


def _console():
    from rich.console import Console

    return Console()


def _fail(exc: Exception) -> NoReturn:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def _print_summary(summary: dict) -> None:
    con = _console()
    from rich.table import Table

    sample = " [bold yellow](SAMPLE DATA)[/]" if summary.get("sample") else ""
    con.print(
        f"[bold]{summary['flow']}[/] run {summary['run_id']}: [bold]{summary['status']}[/]{sample} — "
        f"{summary['new_figures']} new figures, {summary['revisions']} revisions, "
        f"{len(summary['quarantined'])} quarantined batches, {len(summary['alerts'])} alerts"
    )
    t = Table(
        "source",
        "status",
        "requested",
        "fetched",
        "not modified",
        "parsed",
        "stored",
        "revised",
        "unchanged",
        "quarantined",
        "corroborated",
        "held back",
        "errors",
    )
    for sid, o in summary["sources"].items():
        t.add_row(
            sid,
            o["status"],
            *(
                str(o.get(k, 0))
                for k in (
                    "requested",
                    "fetched",
                    "not_modified",
                    "parsed",
                    "stored",
                    "revised",
                    "unchanged",
                    "quarantined",
                    "corroborated",
                    "held_back",
                )
            ),
            str(len(o["errors"])),
        )
    con.print(t)
    for sid, o in summary["sources"].items():
        for e in o["errors"][:5]:
            con.print(f"  [red]{sid}[/]: {e}", markup=True, highlight=False)
    for q in summary["quarantined"]:
        con.print(
            f"  [yellow]quarantined[/] #{q['id']} {q['batch']}: failed {', '.join(q['failed'])}; report: {q.get('data_docs')}"
        )


# --- runs --------------------------------------------------------------------------------


@app.command()
def nightly(
    source: list[str] = typer.Option([], "--source", "-s", help="Source id (repeatable); default TRADEWATCH_SOURCES."),
    replay: Path | None = typer.Option(None, help="Answer requests from this archive directory (offline)."),
    as_of: str | None = typer.Option(
        None, help="Replay the snapshots fetched up to this ISO time; also the run's 'today'."
    ),
    no_alerts: bool = typer.Option(False, "--no-alerts", help="Record alerts without sending them."),
    json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
):
    """Run every enabled source's recent window now (the scheduled job)."""
    from flows.flows import nightly as nightly_flow

    try:
        summary = nightly_flow(
            sources=source or None,
            replay=str(replay) if replay else None,
            as_of=_parse_dt(as_of),
            send_alerts=not no_alerts,
        )
    except TradewatchError as exc:
        _fail(exc)
    print(json.dumps(summary, ensure_ascii=False, default=str)) if json_out else _print_summary(summary)
    if summary["status"] != "ok":
        raise typer.Exit(1)


@app.command()
def backfill(
    start: str = typer.Option(..., help="First month, YYYY-MM."),
    end: str = typer.Option(..., help="Last month, YYYY-MM."),
    source: list[str] = typer.Option(["kcs"], "--source", "-s", help="Source id (repeatable)."),
    send_alerts: bool = typer.Option(
        False, "--send-alerts", help="Send the alerts it raises (default: recorded, not sent)."
    ),
    refetch: bool = typer.Option(False, "--refetch", help="Fetch again windows already archived."),
    replay: Path | None = typer.Option(None, help="Answer requests from this archive directory (offline)."),
    as_of: str | None = typer.Option(None, help="Replay the snapshots fetched up to this ISO time."),
    json_out: bool = typer.Option(False, "--json"),
):
    """Fetch and store a range of months; resumable; re-running stores nothing new."""
    from tradewatch.model import Period

    try:
        Period.parse(start), Period.parse(end)
    except TradewatchError as exc:
        _fail(exc)
    from flows.flows import backfill as backfill_flow

    try:
        summary = backfill_flow(
            start=start,
            end=end,
            sources=source,
            send_alerts=send_alerts,
            refetch=refetch,
            replay=str(replay) if replay else None,
            as_of=_parse_dt(as_of),
        )
    except TradewatchError as exc:
        _fail(exc)
    print(json.dumps(summary, ensure_ascii=False, default=str)) if json_out else _print_summary(summary)
    if summary["status"] != "ok":
        raise typer.Exit(1)


@app.command()
def reprocess(
    source: list[str] = typer.Option([], "--source", "-s", help="Source id (repeatable); default: all."),
    since: str | None = typer.Option(None, help="Only snapshots fetched on or after this day (YYYY-MM-DD)."),
):
    """Parse again from the archive after a parser fix, without the network."""
    from flows.flows import reprocess as reprocess_flow

    summary = reprocess_flow(sources=source or None, since=date.fromisoformat(since) if since else None)
    _print_summary(summary)


@app.command()
def demo(
    data_dir: Path = typer.Option(Path("data/demo"), help="Where the demo's database, archive and report go."),
    fresh: bool = typer.Option(False, "--fresh", help="Start from an empty data directory."),
):
    """The main job, offline: the bundled sample archive → SQLite → validation → alerts on the console."""
    from tradewatch.demo import run_demo

    try:
        code = run_demo(data_dir, fresh=fresh)
    except TradewatchError as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command()
def serve(
    no_automations: bool = typer.Option(
        False, "--no-automations", help="Do not create the dead man's switch automations."
    ),
):
    """Serve the deployments from this process (no worker needed): nightly, backfill, reprocess,
    review-quarantine, release-poll (release-day schedules) and dead-mans-switch; ensures the automations."""
    from flows.deploy import serve_all

    try:
        serve_all(automations=not no_automations)
    except TradewatchError as exc:
        _fail(exc)


# --- reading what is stored -----------------------------------------------------------------


@app.command()
def figures(
    reporter: str | None = typer.Option(None),
    partner: str | None = typer.Option(None),
    flow: str | None = typer.Option(None, help="export, import, balance or total."),
    commodity: str = typer.Option("TOTAL"),
    source: str | None = typer.Option(None),
    since: str | None = typer.Option(None, help="YYYY-MM"),
    until: str | None = typer.Option(None, help="YYYY-MM"),
    json_out: bool = typer.Option(False, "--json"),
    csv_out: bool = typer.Option(False, "--csv"),
):
    """Stored (current) figures."""
    from db.store import current_rows
    from tradewatch.model import Period

    try:
        s_ = Period.parse(since).start if since else None
        u_ = Period.parse(until).end if until else None
    except TradewatchError as exc:
        _fail(exc)
    with _db().session() as s:
        rows = current_rows(
            s, reporter=reporter, partner=partner, flow=flow, commodity=commodity, source=source, since=s_, until=u_
        )
    fields = [
        "reporter",
        "partner",
        "flow",
        "period",
        "commodity",
        "value_usd",
        "source",
        "source_url",
        "published_at",
        "fetched_at",
    ]
    recs = [
        {f: (getattr(r, f).isoformat() if isinstance(getattr(r, f), datetime) else getattr(r, f)) for f in fields}
        for r in rows
    ]
    if json_out:
        for r in recs:
            print(json.dumps(r, ensure_ascii=False))
    elif csv_out:
        w = csv.DictWriter(sys.stdout, fieldnames=fields)
        w.writeheader()
        w.writerows(recs)
    else:
        from rich.table import Table

        t = Table("reporter", "partner", "flow", "period", "commodity", "value (USD bn)", "source")
        for r in recs:
            t.add_row(
                r["reporter"],
                r["partner"],
                r["flow"],
                r["period"],
                r["commodity"],
                f"{r['value_usd'] / 1e9:,.3f}",
                r["source"],
            )
        _console().print(t)


@app.command()
def ranking(
    reporter: str = typer.Option("KOR"),
    flow: str = typer.Option("total"),
    period: str | None = typer.Option(None, help="Default: the newest month stored."),
    top: int = typer.Option(10),
    json_out: bool = typer.Option(False, "--json"),
):
    """Partner ranking computed from the all-partner figures (aggregates excluded)."""
    from db.queries import latest_period
    from db.queries import ranking as rank_query

    with _db().session() as s:
        per = period or latest_period(s, reporter, flow)
        if per is None:
            _fail(TradewatchError(f"no {flow} figures stored for {reporter}"))
        rows = rank_query(s, reporter, flow, per)[:top]
    if json_out:
        for r, p, v in rows:
            print(
                json.dumps({"reporter": reporter, "flow": flow, "period": per, "rank": r, "partner": p, "value_usd": v})
            )
        return
    from rich.table import Table

    from tradewatch.model import countries

    t = Table("rank", "partner", "", f"{flow} (USD bn)", title=f"{reporter} partners by {flow}, {per}")
    for r, p, v in rows:
        t.add_row(str(r), p, countries().get(p).name if p in countries() else p, f"{v / 1e9:,.2f}")
    _console().print(t)


@app.command()
def alerts(json_out: bool = typer.Option(False, "--json"), limit: int = typer.Option(50)):
    """Alerts with their delivery state."""
    from db.queries import alerts_with_deliveries

    with _db().session() as s:
        items = alerts_with_deliveries(s, limit)
    if json_out:
        for a in items:
            print(json.dumps(a, ensure_ascii=False, default=str))
        return
    con = _console()
    if not items:
        con.print("no alerts")
    for a in items:
        deliveries = ", ".join(f"{c}: {st}" for c, st in a["deliveries"].items()) or "no channel"
        con.print(
            f"[bold]{a['severity']}[/] {a['rule']} {a.get('period') or ''}: {a['message']}  [dim]({deliveries})[/]",
            highlight=False,
        )


@app.command()
def status(json_out: bool = typer.Option(False, "--json")):
    """Latest figures and ranks, last run and health of each source, pending deliveries."""
    from report.status import collect_status, print_status

    settings = _settings()
    st = collect_status(_db(settings), settings)
    if json_out:
        print(json.dumps(st, ensure_ascii=False, default=str))
    else:
        print_status(st, _console())


@app.command()
def report(out: Path = typer.Option(Path("data/report.html"), "--out", help="The HTML file to write.")):
    """Write a self-contained HTML report (charts, rankings, alerts, provenance), plus the charts as PNG."""
    from report import build_report

    settings = _settings()
    path = build_report(_db(settings), settings, out)
    typer.echo(f"report written to {path}")


@app.command()
def extract(
    target: str = typer.Argument(..., help="A file (HTML, text or PDF) or an http(s) URL."),
    published: str | None = typer.Option(
        None, help="Publication date YYYY-MM-DD (resolves 'this year', 'last year'...)."
    ),
    language: str | None = typer.Option(None, help="en, vi or ko; default: detected."),
    json_out: bool = typer.Option(False, "--json"),
    explain: bool = typer.Option(
        False, "--explain", help="Also list every amount or rank phrase left out, why, and its quote."
    ),
):
    """Print the trade figures and rank claims a release states, with their quotes."""
    from scrapers.document import read_document
    from scrapers.prose import extract as run_extract
    from scrapers.prose import to_json_lines

    if not target.startswith(("http://", "https://")) and target.lower().endswith(".pdf"):
        from scrapers import vn_customs  # a Vietnam customs by-country bulletin: its figures, exactly

        try:
            data = Path(target).read_bytes()
            bulletin = vn_customs.read_bulletin(data, Path(target).name) if vn_customs.is_bulletin(data) else None
        except (TradewatchError, OSError) as exc:
            _fail(exc)
        if bulletin is not None:
            for item in vn_customs.bulletin_json_lines(bulletin):
                print(json.dumps(item, ensure_ascii=False) if json_out else vn_customs.describe(item))
            return
    try:
        if target.startswith(("http://", "https://")):
            from scrapers.http import Fetcher, Request

            settings = _settings()
            with Fetcher.from_settings(settings) as f:
                snap = f.fetch(Request(source="releases", url=target))
            data, ctype = snap.body(), snap.content_type
        else:
            data, ctype = Path(target).read_bytes(), None
        text, lang = read_document(data, ctype, target)
        pub = date.fromisoformat(published) if published else None
        result = run_extract(text, language or lang, pub, source_url=target if target.startswith("http") else None)
    except (TradewatchError, OSError, ValueError) as exc:
        _fail(exc)
    lines = to_json_lines(result)
    skipped = [(sk.reason, sk.quote if len(sk.quote) <= 300 else sk.quote[:297] + "...") for sk in result.skipped]
    if json_out:
        for item in lines:
            print(json.dumps(item, ensure_ascii=False))
        for reason, quote in skipped if explain else []:
            print(json.dumps({"kind": "skipped", "reason": reason, "quote": quote}, ensure_ascii=False))
        return
    from rich.table import Table

    t = Table("kind", "reporter", "partner", "flow", "period", "commodity", "value / rank", "yoy %", "quote")
    for it in lines:
        value = f"#{it['rank']}" if it["kind"] == "rank" else f"{it['value_usd'] / 1e9:,.3f} bn"
        t.add_row(
            it["kind"],
            it["reporter"],
            it["partner"],
            it["flow"],
            it["period"],
            it.get("commodity", ""),
            value,
            "" if it.get("yoy_pct") is None else f"{it['yoy_pct']:+.1f}",
            (it.get("quote") or "")[:90],
        )
    _console().print(t)
    if not explain:
        if skipped:
            _console().print(f"[dim]{len(skipped)} passages left out (--explain lists them, with why)[/]")
        return
    for reason, quote in skipped:
        _console().print(f"skipped: {reason}\n    “{quote}”", highlight=False, markup=False)


@app.command("config")
def show_config():
    """Print the effective settings (secrets shown only as set/unset)."""
    for k, v in _settings().describe().items():
        typer.echo(f"{k} = {v}")


# --- quarantine ---------------------------------------------------------------------------------


@quarantine_app.command("list")
def quarantine_list(state: str | None = typer.Option(None, help="pending, accepted or rejected")):
    from db.quarantine import list_quarantine

    with _db().session() as s:
        rows = list_quarantine(s, state)
        for q in rows:
            typer.echo(
                f"#{q.id}  {q.state:9}  {q.created_at:%Y-%m-%d %H:%M}  {q.source}  {q.batch_key}  rows={q.n_rows}  {q.reason[:100]}"
            )
        if not rows:
            typer.echo("no quarantined batches")


@quarantine_app.command("show")
def quarantine_show(qid: int = typer.Argument(...)):
    from db.quarantine import get_quarantine

    with _db().session() as s:
        q = get_quarantine(s, qid)
        typer.echo(f"#{q.id} {q.state} source={q.source} batch={q.batch_key} rows={q.n_rows} created={q.created_at}")
        typer.echo(f"failed: {q.reason}")
        if q.decided_by:
            typer.echo(f"decided by {q.decided_by} at {q.decided_at}: {q.decision_note}")
        for r in q.rows[:20]:
            typer.echo(f"  {r}")


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _decide(decision: str, qid: int, note: str, done: str) -> None:
    from db.quarantine import decide

    who = _who()
    try:
        with _db().transaction() as s:
            decide(s, qid, decision, who, note)  # the same function a review flow run calls
    except TradewatchError as exc:
        _fail(exc)
    typer.echo(f"batch #{qid} {done}")
    if os.environ.get("PREFECT_API_URL"):
        # decided here: its review run in Prefect is closed too
        try:
            from flows.review import close_reviews

            n = close_reviews(qid, f"decided from the command line: {decision}ed by {who}: {note}")
        except Exception as exc:  # the decision stands; the review run says so when resumed
            typer.secho(f"note: could not close the review run in Prefect ({type(exc).__name__})", err=True)
        else:
            if n:
                typer.echo(f"closed {n} review run(s) in Prefect")


@quarantine_app.command("accept")
def quarantine_accept(
    qid: int = typer.Argument(...), note: str = typer.Option(..., "--note", "-m", help="Why it is accepted.")
):
    """Store a quarantined batch after all (records who, when and why)."""
    _decide("accept", qid, note, "accepted and stored")


@quarantine_app.command("reject")
def quarantine_reject(
    qid: int = typer.Argument(...), note: str = typer.Option(..., "--note", "-m", help="Why it is rejected.")
):
    """Keep a quarantined batch out of the store for good."""
    _decide("reject", qid, note, "rejected")


# --- Prefect automations ----------------------------------------------------------------------------


@automations_app.command("install")
def automations_install():
    """Create (or update) the dead man's switch automations on the Prefect server (PREFECT_API_URL)."""
    from flows.automations import ensure_automations
    from flows.secrets import run_settings

    try:
        names = ensure_automations(run_settings())
    except TradewatchError as exc:
        _fail(exc)
    for name in names:
        typer.echo(f"automation ensured: {name}")


def main() -> None:
    try:
        app()
    except TradewatchError as exc:  # anything a command did not catch itself
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)


if __name__ == "__main__":
    main()
