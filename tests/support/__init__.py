"""Shared test support: seeded data, logged-in clients; import as `tests.support.<module>`."""
