"""Amazon Selling Partner API connectors."""
