"""jobs pages."""
