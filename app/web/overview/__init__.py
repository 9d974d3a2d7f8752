"""All marketplaces: each in its money, totals per currency, converted only at entered rates."""
