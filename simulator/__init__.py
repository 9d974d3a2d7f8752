"""A local marketplace that speaks the Selling Partner API, with a generated seller behind it."""
