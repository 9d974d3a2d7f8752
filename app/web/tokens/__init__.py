"""API tokens page: owners create (shown once) and revoke the business's /api/v1 tokens."""
