"""Loaders of the raw sources, one module per source."""
