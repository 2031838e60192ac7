"""Atomic writes and raw-file decoding."""

from __future__ import annotations

import pytest

from helpers.core.io import TMP_ENV, atomic_path, detect_encoding, read_raw_csv, write_text_atomic


def test_failed_write_leaves_target_intact(tmp_path, monkeypatch):
    monkeypatch.setenv(TMP_ENV, str(tmp_path / "tmp"))
    target = tmp_path / "out" / "table.csv"
    write_text_atomic(target, "alt\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("halb")
        raise RuntimeError("abgebrochen")
    assert target.read_text() == "alt\n"
    assert list((tmp_path / "out").iterdir()) == [target]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_encodings_and_trailing_rows(tmp_path):
    assert detect_encoding("Lützenkirchen".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"\xef\xbb\xbfA;B") == "utf-8-sig"
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffA;B\r\n1;Bürrig\r\n;\r\n\r\n".encode())
    frame = read_raw_csv(path)
    assert frame.columns.tolist() == ["_zeile", "A", "B"]
    assert frame.to_dict("records") == [{"_zeile": 2, "A": "1", "B": "Bürrig"}]
