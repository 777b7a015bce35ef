"""Everything one profile owns, found by walking foreign keys: for export and for account deletion.

Tables are discovered from ``Base.metadata`` rather than listed by hand, so rows of stages added later
(photos, reports, habits...) are exported and deleted too: a row belongs to the account when it is the
account's profile, has that ``profile_id``, or points (by foreign key) at a row that belongs to it.
Files (photos) belong to the account when an owned row names a file inside the FaceFit data directory.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, Table, and_, delete, or_, select
from sqlalchemy.orm import Session

from facefit.config import data_dir
from facefit.store.schema import metadata

SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "csrf_token"})


@dataclass
class OwnedData:
    """Rows per table (dicts, dependency order) and the files they name."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _owned_filter(table: Table, rows: dict[str, list[dict[str, Any]]], profile_id: int) -> Any | None:
    if table.name == "profiles":
        return table.c.id == profile_id
    clauses = []
    if "profile_id" in table.c:
        clauses.append(table.c.profile_id == profile_id)
    for fk in table.foreign_keys:
        parent_rows = rows.get(fk.column.table.name)
        if parent_rows:
            values = {row[fk.column.name] for row in parent_rows}
            clauses.append(fk.parent.in_(values))
    return or_(*clauses) if clauses else None


def _file_of(value: object, root: Path) -> Path | None:
    if not isinstance(value, str) or not value or len(value) > 1000 or "\n" in value:
        return None
    candidate = Path(value)
    candidate = candidate if candidate.is_absolute() else root / candidate
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return None
    if resolved.is_file() and resolved.is_relative_to(root.resolve()) and resolved.suffix != ".db":
        return resolved
    return None


def collect(*, session: Session, profile_id: int) -> OwnedData:
    """All rows and files owned by ``profile_id``."""
    owned = OwnedData()
    root = data_dir()
    seen: set[Path] = set()
    for table in metadata.sorted_tables:
        where = _owned_filter(table, owned.rows, profile_id)
        if where is None:
            continue
        found = [dict(row._mapping) for row in session.execute(select(table).where(where))]
        if not found:
            continue
        owned.rows[table.name] = found
        for row in found:
            for value in row.values():
                path = _file_of(value, root)
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


def _shared(session: Session, owned: OwnedData, path: Path) -> bool:
    """True when a row of another account names the same file (content-addressed photos may be shared)."""
    root = data_dir().resolve()
    names = {str(path), path.relative_to(root).as_posix(), path.name}
    for table in metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        mine = owned.rows.get(table.name, [])
        for column in table.c:
            if not isinstance(column.type, String) or column.name in SECRET_COLUMNS:
                continue
            query = select(*pk).where(column.in_(names))
            if mine and len(pk) == 1:
                query = query.where(pk[0].not_in([row[pk[0].name] for row in mine]))
            if session.execute(query.limit(1)).first() is not None:
                return True
    return False


def delete_owned(*, session: Session, owned: OwnedData) -> list[Path]:
    """Delete every owned row (children first); return the files no other account still uses.

    The caller deletes the returned files only after the transaction commits, so a failed delete loses
    nothing.
    """
    unshared = [path for path in owned.files if not _shared(session, owned, path)]
    for table in reversed(metadata.sorted_tables):
        rows = owned.rows.get(table.name)
        if not rows:
            continue
        pk = list(table.primary_key.columns)
        keys = [and_(*(col == row[col.name] for col in pk)) for row in rows]
        for start in range(0, len(keys), 500):
            session.execute(delete(table).where(or_(*keys[start:start + 500])))
    return unshared
