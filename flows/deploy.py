"""The deployments, declared once: used by ``tradewatch serve`` and mirrored in deploy/prefect.yaml."""

from __future__ import annotations

NIGHTLY_CRON = "30 6 * * *"  # every morning 06:30 Seoul time, after KCS's and MOTIE's overnight publications
TIMEZONE = "Asia/Seoul"


def deployments():
    from prefect.schedules import Cron

    from flows.flows import backfill, nightly, reprocess

    return [
        nightly.to_deployment(
            name="nightly",
            schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)],
            tags=["tradewatch"],
            description="Every night: each enabled source's recent months, validated, stored, alerts delivered.",
        ),
        backfill.to_deployment(
            name="backfill", tags=["tradewatch"], description="Ad hoc: a range of months for chosen sources."
        ),
        reprocess.to_deployment(
            name="reprocess", tags=["tradewatch"], description="Parse the archive again after a parser fix."
        ),
    ]


def serve_all(limit: int | None = None) -> None:
    """Serve every deployment from this process (blocks)."""
    from prefect import serve

    serve(*deployments(), limit=limit)
