"""The deployments, declared once: used by ``tradewatch serve`` and mirrored in deploy/prefect.yaml."""

from __future__ import annotations

NIGHTLY_CRON = "30 6 * * *"  # every morning 06:30 Seoul time, after KCS's and MOTIE's overnight publications
TIMEZONE = "Asia/Seoul"


def poll_schedules(source_ids=None) -> list:
    """Release-day poll schedules, generated from each source's release calendar (scrapers/calendar.py).

    One cron schedule per publication window, in the window's time zone, carrying the
    source as its parameter: ``release-poll`` runs e.g. ``*/15 9-11 1 * *`` Asia/Seoul
    with ``{"source": "motie"}``.
    """
    from prefect.schedules import Cron

    from scrapers import SOURCE_MODULES
    from scrapers.calendar import calendar_for

    out = []
    for sid in source_ids or SOURCE_MODULES:
        cal = calendar_for(sid)
        if cal is None:
            continue
        for w in cal.windows:
            out.append(Cron(w.cron(), timezone=w.timezone, parameters={"source": sid}, slug=f"{sid}-{w.first_day}"))
    return out


def deployments(poll_sources=None):
    """Every deployment, with module entrypoints (``flows.review:review_quarantine``), as in prefect.yaml.

    A file-path entrypoint would load ``flows/review.py`` as a script with ``flows/`` on
    ``sys.path``, where ``flows`` then names ``flows/flows.py`` instead of the package.
    """
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.deadman import dead_mans_switch
    from flows.flows import backfill, nightly, release_poll, reprocess
    from flows.review import review_quarantine

    module = EntrypointType.MODULE_PATH
    return [
        nightly.to_deployment(
            entrypoint_type=module,
            name="nightly",
            schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
            tags=["tradewatch"],
            description="Every night: each enabled source's recent months, validated, stored, alerts delivered.",
        ),
        backfill.to_deployment(
            entrypoint_type=module,
            name="backfill",
            tags=["tradewatch"],
            description="Ad hoc: a range of months for chosen sources.",
        ),
        reprocess.to_deployment(
            entrypoint_type=module,
            name="reprocess",
            tags=["tradewatch"],
            description="Parse the archive again after a parser fix.",
        ),
        review_quarantine.to_deployment(
            entrypoint_type=module,
            name="review-quarantine",
            tags=["tradewatch"],
            description="Started by the run that quarantined a batch: shows it and waits for accept/reject.",
        ),
        release_poll.to_deployment(
            entrypoint_type=module,
            name="release-poll",
            schedules=poll_schedules(poll_sources),
            tags=["tradewatch"],
            description="On release days: poll a source every few minutes until the due period is stored.",
        ),
        dead_mans_switch.to_deployment(
            entrypoint_type=module,
            name="dead-mans-switch",
            tags=["tradewatch"],
            description="Run by the tradewatch automations when the nightly did not complete in time.",
        ),
    ]


def serve_all(limit: int | None = None, *, automations: bool = True) -> None:
    """Serve every deployment from this process (blocks); first ensure the dead man's switch automations."""
    import asyncio
    import contextlib

    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    runner = Runner(limit=limit)
    for d in deployments():
        runner.add_deployment(d)
    if automations:
        from flows.automations import ensure_automations
        from flows.secrets import run_settings

        for name in ensure_automations(run_settings()):
            print(f"automation ensured: {name}", flush=True)
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):
        asyncio.run(runner.start())
