"""doit pipeline of the Präventionsmonitoring: all tasks come from the commune config.

doit                          # build everything that is out of date
doit -n 2                     # the same, with two parallel workers
doit list                     # what each task does (doit list --all: every report)
doit profil:2025-wiesdorf     # one Stadtteil profile
doit generate_sample          # (re)write the synthetic sample data
doit config=config/other.yml  # another commune's config
"""

import os
import sys
from pathlib import Path

from doit import get_var

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from helpers.build.progress import ProgressReporter
from helpers.build.tasks import DEFAULT_TASKS, generate_tasks
from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.core.settings import ISOLATED_ENV, TMP_ENV

CONFIG_PATH = Path(get_var("config", os.environ.get("MONITORING_CONFIG", "config/leverkusen.yml")))
CONFIG = load_config(CONFIG_PATH)
PATHS = ProjectPaths(CONFIG)

# Temporary files go to build/tmp, never next to the published outputs.
os.environ.setdefault(TMP_ENV, str(PATHS.build / "tmp"))
# `doit isolated=1`: every report in a fresh kernel (default: one warm kernel per worker).
if get_var("isolated", None) is not None:
    os.environ[ISOLATED_ENV] = get_var("isolated")

DOIT_CONFIG = {
    "default_tasks": DEFAULT_TASKS,
    "dep_file": str(PATHS.root / ".doit.db"),
    "backend": "sqlite3",
    "check_file_uptodate": "md5",
    "verbosity": 1,
    "reporter": ProgressReporter,
}


def task_monitoring():
    """All monitoring tasks, generated from the config."""
    yield from generate_tasks(CONFIG)
