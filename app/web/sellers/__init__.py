"""sellers pages."""
