"""The automations tradewatch keeps on its Prefect server: the dead man's switch.

Three automations watch the ``nightly`` deployment's flow-run events and, when one
fires, run the ``dead-mans-switch`` deployment (``flows/deadman.py``), which alerts
through tradewatch's own channels, once per night:

* **late** (proactive): a nightly run became Late, Pending or Running, and no
  Completed followed by the deadline (``TRADEWATCH_DEADMAN_DEADLINE``, default 09:00
  Asia/Seoul: 2 h 30 after the 06:30 schedule). A worker that is down leaves the run
  Late; a process killed mid-run leaves it Running; both miss the deadline.
* **crashed** (reactive): a nightly run Crashed or Failed.
* **silent** (proactive, no start event): no nightly run completed for
  ``TRADEWATCH_DEADMAN_SILENCE_HOURS`` (default 26 h): the deployment is paused, its
  schedule removed, or the scheduler itself is down, so no event comes at all.

``ensure_automations`` creates them, or replaces any of the same name that differs:
``tradewatch serve`` calls it at start, ``tradewatch automations install`` on a team server.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flows.deploy import NIGHTLY_CRON, TIMEZONE
from tradewatch.config import Settings
from tradewatch.errors import ConfigError

PREFIX = "tradewatch dead man's switch"
DEADMAN_DEPLOYMENT = ("dead-mans-switch", "dead-mans-switch")
NIGHTLY_DEPLOYMENT = ("nightly", "nightly")


def deadline_after_start(settings: Settings, cron: str = NIGHTLY_CRON) -> timedelta:
    """How long after the nightly's scheduled start it must have completed (06:30 → 09:00: 2 h 30)."""
    minute, hour = (int(x) for x in cron.split()[:2])
    dh, dm = (int(x) for x in settings.deadman_deadline.split(":"))
    gap = timedelta(hours=dh, minutes=dm) - timedelta(hours=hour, minutes=minute)
    if gap <= timedelta(0):
        gap += timedelta(days=1)
    return gap


def automations(settings: Settings, nightly_id: Any, deadman_id: Any) -> list:
    """The automations, for the nightly deployment ``nightly_id`` and the switch ``deadman_id``."""
    from prefect.automations import Automation
    from prefect.events.actions import RunDeployment
    from prefect.events.schemas.automations import EventTrigger, Posture

    related: dict[str, str | list[str]] = {
        "prefect.resource.id": f"prefect.deployment.{nightly_id}",
        "prefect.resource.role": "deployment",
    }
    runs: dict[str, str | list[str]] = {"prefect.resource.id": "prefect.flow-run.*"}

    def act(reason: str) -> list:
        return [
            RunDeployment(
                source="selected", deployment_id=deadman_id, parameters={"reason": reason}, job_variables=None
            )
        ]

    within = deadline_after_start(settings)
    return [
        Automation(
            name=f"{PREFIX}: nightly late",
            description=f"The nightly did not complete by {settings.deadman_deadline} {TIMEZONE} "
            f"({within} after its start or its lateness).",
            trigger=EventTrigger(
                match=runs,
                match_related=related,
                after={"prefect.flow-run.Late", "prefect.flow-run.Pending", "prefect.flow-run.Running"},
                expect={"prefect.flow-run.Completed"},
                posture=Posture.Proactive,
                threshold=1,
                within=within,
            ),
            actions=act("late"),
        ),
        Automation(
            name=f"{PREFIX}: nightly crashed",
            description="A nightly run crashed or failed.",
            trigger=EventTrigger(
                match=runs,
                match_related=related,
                expect={"prefect.flow-run.Crashed", "prefect.flow-run.Failed"},
                posture=Posture.Reactive,
                threshold=1,
                within=timedelta(0),
            ),
            actions=act("crashed"),
        ),
        Automation(
            name=f"{PREFIX}: no nightly",
            description=f"No nightly run completed for {settings.deadman_silence_hours:g} hours.",
            trigger=EventTrigger(
                match=runs,
                match_related=related,
                expect={"prefect.flow-run.Completed"},
                posture=Posture.Proactive,
                threshold=1,
                within=timedelta(hours=settings.deadman_silence_hours),
            ),
            actions=act("silent"),
        ),
    ]


def _same(a, b) -> bool:
    """The same automation, whatever ids the server gave it (unchanged ones keep their open windows)."""

    def shape(x) -> dict:
        return {
            "head": x.model_dump(include={"name", "description", "enabled"}),
            "trigger": x.trigger.model_dump(exclude={"id"}),  # python mode: sets compare as sets
            "actions": [act.model_dump() for act in x.actions],
        }

    return shape(a) == shape(b)


def ensure_automations(settings: Settings) -> list[str]:
    """Create the automations, or replace those of the same name that differ; their names.

    Needs the ``nightly`` and ``dead-mans-switch`` deployments on the API (served by
    ``tradewatch serve`` or deployed from deploy/prefect.yaml).
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        try:
            nightly = client.read_deployment_by_name("/".join(NIGHTLY_DEPLOYMENT))
            deadman = client.read_deployment_by_name("/".join(DEADMAN_DEPLOYMENT))
        except Exception as exc:
            raise ConfigError(
                f"the dead man's switch needs the deployments {'/'.join(NIGHTLY_DEPLOYMENT)} and "
                f"{'/'.join(DEADMAN_DEPLOYMENT)} on the Prefect API ({type(exc).__name__}); "
                "serve them (tradewatch serve) or deploy them (deploy/prefect.yaml) first"
            ) from None
        names = []
        for want in automations(settings, nightly.id, deadman.id):
            existing = client.read_automations_by_name(want.name)
            if len(existing) == 1 and _same(existing[0], want):
                names.append(want.name)
                continue
            for old in existing:
                client.delete_automation(old.id)
            from prefect.events.schemas.automations import AutomationCore

            client.create_automation(AutomationCore(**want.model_dump(exclude={"id"})))
            names.append(want.name)
        return names
