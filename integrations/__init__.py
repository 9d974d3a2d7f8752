"""Marketplace connectors: no Flask, no database; typed results and typed errors."""
