"""Secrets kept in Prefect Secret blocks, read when a run starts.

A secret setting may say ``block:<name>`` (``TRADEWATCH_SLACK_WEBHOOK_URL=block:slack-webhook``):
the value is the Secret block ``<name>`` on the Prefect API the run talks to, read once
per run, so an edit in the UI takes effect at the next run. ``tradewatch/`` does not
import Prefect; this module gives it the reader (``Settings.with_secrets``).
"""

from __future__ import annotations

import logging
from typing import Any

from tradewatch.config import Settings, load_settings

log = logging.getLogger("tradewatch.secrets")


def read_secret_block(name: str) -> str:
    """The text held by the Prefect Secret block ``name`` (raises if it cannot be read)."""
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name, _sync=True)  # type: ignore[call-arg]  # the sync path, also inside a flow
    value = block.get()
    if not isinstance(value, str):
        raise TypeError(f"Secret block {name!r} holds a {type(value).__name__}, not text")
    return value


def resolve(settings: Settings) -> Settings:
    """``settings`` with its ``block:<name>`` secrets read; an unreadable block is logged, not raised."""
    if not settings.secret_blocks():
        return settings
    resolved = settings.with_secrets(read_secret_block)
    for name, why in resolved.secret_errors.items():
        log.warning("%s: %s", name, why)
    return resolved


def run_settings() -> Settings:
    """The settings a run starts with: the environment and tradewatch.toml, secrets read from their blocks."""
    return resolve(load_settings())
