"""Sync persistence: idempotent upserts, stream cursors and runs, and the sales history query.

Streams (orders, inventory, fees, reports) fetch through `integrations.amazon` and write each
page together with its advanced cursor in one transaction, so an interrupted sync rerun leaves
the same database as an uninterrupted one.
"""
