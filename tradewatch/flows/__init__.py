"""Prefect flows: thin orchestration over ``tradewatch.flows.pipeline``.

Only the CLI imports this package (it imports Prefect).
"""
