"""Environment switches of the pipeline (light: ``dodo.py`` imports this)."""

#: Environment variable naming the folder for temporary files of atomic writes (``helpers.core.io``).
TMP_ENV = "MONITORING_TMP_DIR"

#: Environment variable: "1" runs every report in a fresh kernel (``doit isolated=1``).
ISOLATED_ENV = "MONITORING_ISOLATED"
