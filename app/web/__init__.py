"""View helpers shared by the page blueprints: who is logged in, tenant scoping, paging."""
