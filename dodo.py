"""doit pipeline of the Präventionsmonitoring: all tasks come from the commune config.

doit                          # build everything that is out of date
doit -n 2                     # the same, with two parallel workers
doit list                     # what each task does (doit list --all: every report)
doit profil:2025-wiesdorf     # one Stadtteil profile
doit generate_sample          # (re)write the synthetic sample data
doit generate_sample next_year=1  # add the year after years.data.last to the sample
doit config=config/other.yml  # another commune's config
doit -s profil:2024-opladen   # one report alone, without checking its upstream tasks
"""

import os
import sys
from pathlib import Path

# One BLAS/OpenMP thread per process, set before anything imports numpy (also inherited by
# the kernels): the matrices are small, BLAS threads gain nothing and compete with `-n 2`.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from doit import get_var
from doit.globals import Globals

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from helpers.core.config import ConfigError, load_config
from helpers.core.paths import ProjectPaths
from helpers.core.settings import ISOLATED_ENV, TMP_ENV
from helpers.pipeline.backend import make_durable
from helpers.pipeline.errors import config_block, with_german_errors
from helpers.pipeline.interrupt import install_interrupt_handling
from helpers.pipeline.progress import MAIN_PID_ENV, configure_progress_channel, reporter_for
from helpers.pipeline.tasks import default_tasks, generate_tasks

CONFIG_PATH = Path(get_var("config", os.environ.get("MONITORING_CONFIG", "config/leverkusen.yml")))
try:
    CONFIG = load_config(CONFIG_PATH)
except ConfigError as exc:  # one German block, no traceback
    sys.stderr.write(config_block(exc) + "\n")
    raise SystemExit(3) from None
PATHS = ProjectPaths(CONFIG)
# `doit generate_sample next_year=1`: add one year to the synthetic sample (README "The annual run").
NEXT_YEAR = get_var("next_year", "0").strip().lower() in {"1", "ja", "true", "yes"}

# Ctrl-C: a German summary instead of a traceback; progress lines from long tasks on stderr.
install_interrupt_handling()
configure_progress_channel()
os.environ[MAIN_PID_ENV] = str(os.getpid())

# The report kernels run in notebooks/: a relative PYTHONPATH (`PYTHONPATH=src doit`) does not
# reach this checkout's helpers there, and an installed copy elsewhere would be imported instead.
SRC = str(Path(__file__).resolve().parent / "src")
os.environ["PYTHONPATH"] = os.pathsep.join([SRC, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)])

# Temporary files go to build/tmp, never next to the published outputs.
os.environ.setdefault(TMP_ENV, str(PATHS.build / "tmp"))
# `doit isolated=1`: every report in a fresh kernel (default: one warm kernel per worker).
if get_var("isolated", None) is not None:
    os.environ[ISOLATED_ENV] = get_var("isolated")

# The tasks are generated here, not lazily by doit: a config error found while planning (an
# indicator list, the catalogue, a plan without indicators) is one German block, no traceback.
try:
    TASKS = list(with_german_errors(generate_tasks(CONFIG, next_year=NEXT_YEAR)))
    DEFAULT_TASKS = default_tasks(CONFIG)
except ConfigError as exc:
    sys.stderr.write(config_block(exc) + "\n")
    raise SystemExit(3) from None

DOIT_CONFIG = {
    "default_tasks": DEFAULT_TASKS,
    "dep_file": str(PATHS.root / ".doit.db"),
    "backend": "sqlite3",
    "check_file_uptodate": "md5",
    "verbosity": 1,
    "reporter": reporter_for(PATHS.root, PATHS.build),
}


def task_monitoring():
    """All monitoring tasks, generated from the config."""
    # doit has created its dependency manager by now: commit each task's state as it
    # finishes, so that a killed build resumes where it stopped (helpers.pipeline.backend).
    make_durable(Globals.dep_manager)
    yield from TASKS
