"""Glue between the database and the forecasting library: history in, forecasts and plans out."""
