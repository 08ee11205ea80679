"""Prefect flows: thin orchestration over ``flows.pipeline``.

Only the CLI imports this package (it imports Prefect).
"""
