"""Präventionsmonitoring helpers."""

import sys as _sys

# nbformat validates with jsonschema, which imports ``rfc3987_syntax`` when it is installed
# (JupyterLab brings it in through jupyter-events). That package builds Lark grammars at import:
# 2.3 s in every process that touches a notebook (jsonschema issues 1392 and 1428). Only the
# "iri" format check needs it, and no notebook or data-package schema uses that format, so
# the import is skipped here, before any helper imports nbformat. A process that imported
# jsonschema earlier keeps it.
_sys.modules.setdefault("rfc3987_syntax", None)
