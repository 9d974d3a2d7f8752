"""Imports of seller-kept spreadsheets (SKU settings)."""
