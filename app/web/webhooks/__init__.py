"""SP-API notification webhooks: the forwarder's signature and the official payload schemas."""
