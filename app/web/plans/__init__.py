"""plans pages."""
