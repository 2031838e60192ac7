"""Statistical analyses on the published indicators and the HzE data (trends, comparison,
socio-spatial index, need vs supply, HzE cost-effect)."""
