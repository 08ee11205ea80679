"""Sources: one module per source, registered by id, plus the shared fetch machinery.

A source module reads like a description of that source: its URL, its query rules,
its field map and its parse. ``get_source(id, settings)`` builds one; the module is
imported only when its source is used.
"""

from __future__ import annotations

import importlib

from tradewatch.errors import ConfigError

# source id -> module that defines it (imported lazily). A new source is one new
# module and one line here.
SOURCE_MODULES = {
    "kcs": "scrapers.kcs",
    "kcs_releases": "scrapers.kcs_releases",
    "comtrade": "scrapers.comtrade",
    "motie": "scrapers.motie",
    "vn_customs": "scrapers.vn_customs",
    "vn_customs_headline": "scrapers.vn_customs_headline",
    "releases": "scrapers.releases",
    "kita": "scrapers.kita",
}


def source_ids() -> list[str]:
    return list(SOURCE_MODULES)


def source_class(source_id: str):
    try:
        module = SOURCE_MODULES[source_id]
    except KeyError:
        raise ConfigError(f"unknown source {source_id!r}; known: {', '.join(SOURCE_MODULES)}") from None
    return importlib.import_module(module).SOURCE


def get_source(source_id: str, settings):
    return source_class(source_id)(settings)
