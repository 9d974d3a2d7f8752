"""dashboard pages."""
