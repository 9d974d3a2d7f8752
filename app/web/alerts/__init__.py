"""The Alerts settings page: events, channel, quiet hours, digest, and a test button."""
