"""Alerts: events decided from what the planner and the syncs stored, announced once per state
change through each user's Apprise channel, with quiet hours and digests."""
