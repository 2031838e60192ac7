"""Kernindikatoren: catalogue, computation, intervals, pooling and Leitbild tracking."""
