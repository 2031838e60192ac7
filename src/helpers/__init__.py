"""Präventionsmonitoring helpers."""
