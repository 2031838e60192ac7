"""A doit dependency database that survives a killed build: every task's state is committed
as soon as the task has finished.

doit's ``sqlite3`` backend keeps every change in memory and writes the file once, at the
end of the run (``dump``), so a build killed with ``kill -9`` (or a power cut) forgets every
task it finished and the next build redoes all of them. :class:`DurableSqliteDB` commits a
task's row when doit has written its last value: ``Dependency.save_success`` writes
``deps:`` last, so the commit happens after the complete record, never in the middle of it;
a failed task's removal is committed at once as well. SQLite commits are atomic, so a kill
during a commit leaves the previous state. Results are saved in doit's main process, also
with ``doit -n N``, so there is one writer.

``dodo.py`` calls :func:`make_durable` on the dependency manager doit created from
``DOIT_CONFIG`` (``backend: sqlite3``): doit 0.37 looks backends up by name in a table built
before ``dodo.py`` is read, and new names come only from a plugin section in ``pyproject.toml``
or ``doit.cfg`` (``[tool.doit.plugins.BACKEND]``).
"""

from __future__ import annotations

from typing import Any

from doit.dependency import Dependency, SqliteDB

#: The key ``Dependency.save_success`` writes last for a task (doit 0.37).
LAST_KEY = "deps:"


class DurableSqliteDB(SqliteDB):
    """doit's sqlite3 backend, committing each task's record when it is complete."""

    desc = "sqlite3, committed after every task (a killed build resumes)"

    def set(self, task_id: str, dependency: str, value: Any) -> None:
        super().set(task_id, dependency, value)
        if dependency in (LAST_KEY, "ignore:"):
            self.commit(task_id)

    def commit(self, task_id: str) -> None:
        """Write one task's cached record and commit it."""
        if task_id in self._dirty:
            self._conn.execute(
                "insert or replace into doit values (?,?)", (task_id, self.codec.encode(self._cache[task_id]))
            )
            self._dirty.discard(task_id)
        self._conn.commit()

    def remove(self, task_id: str) -> None:
        super().remove(task_id)
        self._conn.commit()


def make_durable(dep_manager: Dependency | None) -> bool:
    """Swap a plain sqlite3 backend of doit's dependency manager for :class:`DurableSqliteDB`.

    Called while tasks are loaded, before any task state is read or written. Returns whether
    the backend is durable now (other backends, e.g. ``json``, are left alone).
    """
    if dep_manager is None:
        return False
    backend = dep_manager.backend
    if isinstance(backend, DurableSqliteDB):
        return True
    if type(backend) is not SqliteDB or backend._dirty:
        return False
    backend._conn.close()
    durable = DurableSqliteDB(backend.name, backend.codec)
    dep_manager.backend = durable
    # Dependency binds these backend methods in its __init__ (doit 0.37).
    dep_manager._set = durable.set
    dep_manager._get = durable.get
    dep_manager.remove = durable.remove
    dep_manager.remove_all = durable.remove_all
    dep_manager._in = durable.in_
    return True
