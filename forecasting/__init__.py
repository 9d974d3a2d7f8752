"""Demand forecasting, FBA fee schedule, shipment policy and replay: a library on DataFrames."""
