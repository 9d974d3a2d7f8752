"""Security helpers: encryption of marketplace secrets at rest."""
