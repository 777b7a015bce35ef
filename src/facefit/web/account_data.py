"""Everything one profile owns, for export and account deletion: rows by declared keys, files by declared
file columns, never by strings found in rows.

Rows: tables are discovered from ``Base.metadata`` (rows of stages added later are covered too). A row
belongs to the account when it is the account's profile, or has that ``profile_id``, or - only for
tables without a ``profile_id`` - points by foreign key at a row that belongs to it.

Files: only values of columns declared with :func:`facefit.store.base.owned_file`. Such a value is a
path relative to the data directory that must name a regular file (not a link) inside the profile's
declared directory (``photos/p<profile_id>``). No other string in any row is read as a path, so a token
called ``facefit.db-wal`` or a note naming another member's photo is only text. The database and its
``-wal``/``-shm``/``-journal`` files are refused whatever a row says.

Deletion removes the rows inside the caller's transaction and returns the files to remove once it has
committed: the profile's files that no remaining row (of any profile) names, and whatever else lies in
the profile's declared directories (files of an interrupted import).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Column, Table, and_, delete, or_, select
from sqlalchemy.orm import Session

from facefit.config import data_dir
from facefit.store.base import OWNED_FILE_DIR
from facefit.store.schema import metadata

SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "csrf_token"})
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


@dataclass
class OwnedData:
    """Rows per table (dicts, dependency order), the files their declared file columns name, and the
    profile's own directories (from the same declarations)."""

    profile_id: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)


def file_columns() -> list[tuple[Table, Column[Any], str]]:
    """Every column declared as naming an owned file, with its directory template."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.c:
            template = column.info.get(OWNED_FILE_DIR)
            if template is None:
                continue
            if "profile_id" not in table.c:
                raise RuntimeError(f"{table.name}.{column.name} names owned files but has no profile_id")
            found.append((table, column, template))
    return found


def _owned_filter(table: Table, rows: dict[str, list[dict[str, Any]]], profile_id: int) -> Any | None:
    if table.name == "profiles":
        return table.c.id == profile_id
    if "profile_id" in table.c:
        return table.c.profile_id == profile_id
    clauses = []
    for fk in table.foreign_keys:
        parent_rows = rows.get(fk.column.table.name)
        if parent_rows:
            values = {row[fk.column.name] for row in parent_rows}
            clauses.append(fk.parent.in_(values))
    return or_(*clauses) if clauses else None


def protected_files(session: Session) -> frozenset[Path]:
    """The SQLite database and its companion files (never exported or removed, whatever a row says)."""
    url = session.get_bind().url
    if not url.get_backend_name().startswith("sqlite") or not url.database or url.database == ":memory:":
        return frozenset()
    base = Path(url.database).resolve()
    return frozenset(base.with_name(base.name + suffix) for suffix in SQLITE_COMPANIONS)


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(directory.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def declared_file(value: object, directory: Path, protected: frozenset[Path]) -> Path | None:
    """The file a declared column's value names, if it is a plain regular file inside ``directory``.

    Anything else (not a string, a null byte or other control character, an absolute path, ``..``,
    a symbolic link, a database file, a missing file) is None: it is never opened or removed.
    """
    if not isinstance(value, str) or not value or len(value) > 1000:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    relative = PurePosixPath(value)
    if relative.is_absolute() or ".." in relative.parts or "\\" in value:
        return None
    candidate = data_dir() / relative
    try:
        if candidate.is_symlink() or not candidate.is_file():
            return None
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if resolved in protected or not _inside(resolved, directory):
        return None
    return resolved


def collect(*, session: Session, profile_id: int) -> OwnedData:
    """All rows owned by ``profile_id`` and the files its declared file columns name."""
    owned = OwnedData(profile_id=profile_id)
    for table in metadata.sorted_tables:
        where = _owned_filter(table, owned.rows, profile_id)
        if where is None:
            continue
        found = [dict(row._mapping) for row in session.execute(select(table).where(where))]
        if found:
            owned.rows[table.name] = found
    protected = protected_files(session)
    seen: set[Path] = set()
    for table, column, template in file_columns():
        directory = data_dir() / template.format(profile_id=int(profile_id))
        if directory not in owned.directories:
            owned.directories.append(directory)
        for row in owned.rows.get(table.name, []):
            path = declared_file(row[column.name], directory, protected)
            if path is not None and path not in seen:
                seen.add(path)
                owned.files.append(path)
    return owned


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def export_zip(owned: OwnedData) -> bytes:
    """A zip of ``data/<table>.json`` + ``.csv`` (secrets removed) and ``files/<path>`` for each file."""
    buffer = io.BytesIO()
    root = data_dir().resolve()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", (
            "FaceFit data export: one JSON and one CSV file per table in data/, and your photos and other\n"
            "files in files/. Password and token hashes are not included.\n"
        ))
        for name, rows in owned.rows.items():
            clean = [{k: _plain(v) for k, v in row.items() if k not in SECRET_COLUMNS} for row in rows]
            archive.writestr(f"data/{name}.json", json.dumps(clean, indent=1, default=str))
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(clean[0]))
            writer.writeheader()
            for row in clean:
                writer.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v
                                 for k, v in row.items()})
            archive.writestr(f"data/{name}.csv", text.getvalue())
        for path in owned.files:
            archive.write(path, f"files/{path.relative_to(root).as_posix()}")
    return buffer.getvalue()


def _named_by_a_row(session: Session, path: Path) -> bool:
    """True when any row's declared file column names ``path`` (run after the owned rows are deleted)."""
    root = data_dir().resolve()
    if not path.is_relative_to(root):
        return False
    name = path.relative_to(root).as_posix()
    for table, column, _template in file_columns():
        if session.execute(select(table.c.profile_id).where(column == name).limit(1)).first() is not None:
            return True
    return False


def _directory_files(directory: Path, protected: frozenset[Path]) -> list[Path]:
    """Regular files (not links) inside one of the profile's own directories."""
    if directory.is_symlink() or not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        resolved = path.resolve()
        if resolved not in protected and _inside(resolved, directory):
            found.append(resolved)
    return found


def delete_owned(*, session: Session, owned: OwnedData) -> list[Path]:
    """Delete every owned row (children first); return the files to remove once this commits.

    Those are the profile's declared files and the files in its own directories that no remaining row
    (of any profile) names. The caller removes them only after the transaction commits, so a failed
    delete loses nothing.
    """
    for table in reversed(metadata.sorted_tables):
        rows = owned.rows.get(table.name)
        if not rows:
            continue
        pk = list(table.primary_key.columns)
        keys = [and_(*(col == row[col.name] for col in pk)) for row in rows]
        for start in range(0, len(keys), 500):
            session.execute(delete(table).where(or_(*keys[start:start + 500])))
    session.flush()
    protected = protected_files(session)
    candidates = list(owned.files)
    for directory in owned.directories:
        candidates += [path for path in _directory_files(directory, protected) if path not in candidates]
    return [path for path in candidates if not _named_by_a_row(session, path)]
