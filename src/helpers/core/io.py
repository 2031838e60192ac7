"""File input and output: raw exports in, atomic processed outputs out.

- Raw exports are read as text with their real quirks: UTF-8 with or without BOM or
  Windows-1252 (or a declared encoding), ``;`` (or a declared) separator, lines above the
  header, trailing empty rows. Values stay strings; the loaders'
  schemas parse and check them.
- Every output is written to a temporary file in the target folder and renamed into place,
  so a killed build never leaves a half-written file. An output whose new bytes equal the
  file's bytes is not written at all: the file keeps its mtime, and doit (md5 checker, mtime
  first) sees an unchanged dependency, so what depends on it does not re-run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from helpers.core import settings

#: Name of the column that carries each raw row's line number in its file.
LINE = "_zeile"

#: Environment variable naming the folder for temporary files. The pipeline points it at
#: ``build/tmp`` (same file system as the outputs), so a killed build leaves its partial
#: files there and never in ``data/processed`` or ``reports``.
TMP_ENV = settings.TMP_ENV


def detect_encoding(raw: bytes) -> str:
    """Return ``utf-8-sig`` for UTF-8 (with or without BOM), else ``cp1252``.

    >>> detect_encoding("Bürrig".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("Bürrig".encode("utf-8"))
    'utf-8-sig'
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def read_raw_csv(path: Path, sep: str = ";", encoding: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """Read a raw CSV export as strings, with each row's file line number in :data:`LINE`.

    ``encoding`` None detects UTF-8 (with or without BOM) or Windows-1252; ``header_row`` is
    the 1-based line of the column headers (the lines above it, e.g. a title, are skipped).
    Line numbers stay the real lines of the file. Fully empty rows (also ``;;;`` rows) are
    dropped; surrounding blanks are stripped. Raises ``UnicodeDecodeError`` when the file is
    not in the given encoding and ``pandas.errors.EmptyDataError`` when there is no header line.
    """
    raw = Path(path).read_bytes()
    text = raw.decode(encoding or detect_encoding(raw))
    if encoding is not None and text.startswith("\ufeff"):
        text = text[1:]
    frame = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        skiprows=header_row - 1,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    first = header_row + 1
    frame.insert(0, LINE, range(first, len(frame) + first))
    empty = frame.drop(columns=LINE).eq("").all(axis=1)
    return frame.loc[~empty].reset_index(drop=True)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left as it was. The
    temporary file lives in ``$MONITORING_TMP_DIR`` when set, else next to ``target``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(os.environ.get(TMP_ENV, "") or target.parent)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=tmp_dir)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def unchanged(target: Path, data: bytes) -> bool:
    """True when ``target`` exists and holds exactly ``data``."""
    try:
        return Path(target).stat().st_size == len(data) and Path(target).read_bytes() == data
    except OSError:
        return False


def write_bytes_atomic(target: Path, data: bytes) -> bool:
    """Write bytes to ``target`` atomically; leave it untouched when it already holds them.

    Returns True when the file was written, False when its bytes were already ``data``.
    """
    if unchanged(target, data):
        return False
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return True


def write_text_atomic(target: Path, text: str, encoding: str = "utf-8") -> bool:
    """Write text to ``target`` atomically (``\\n`` line endings); unchanged text is not rewritten."""
    return write_bytes_atomic(target, text.encode(encoding))


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as parquet (no index, zstd): the same frame always gives the same bytes."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def write_parquet_atomic(frame: pd.DataFrame, target: Path) -> bool:
    """Write a frame as parquet (no index) atomically; unchanged bytes are not rewritten."""
    return write_bytes_atomic(target, parquet_bytes(frame))


def write_csv_atomic(frame: pd.DataFrame, target: Path) -> bool:
    """Write a frame as a CSV a German spreadsheet opens directly (unchanged bytes: not rewritten).

    Semicolon separator, decimal comma, UTF-8 with BOM, no index.
    """
    text = frame.to_csv(sep=";", decimal=",", index=False, lineterminator="\n")
    return write_bytes_atomic(target, b"\xef\xbb\xbf" + text.encode("utf-8"))


def sha256_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """A SHA-256 over the names (relative to ``root``) and contents of files, order-free."""
    digest = hashlib.sha256()
    # names relative to root (also for files outside it, e.g. the shipped catalogue), so the
    # digest does not depend on where the project is checked out
    items = sorted((Path(os.path.relpath(p, root)) if root else Path(p), Path(p)) for p in paths)
    for name, path in items:
        digest.update(name.as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
