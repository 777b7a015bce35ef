"""Open the store: create the engine, bring the schema to the newest migration, hand out sessions.

A database made by an older FaceFit is upgraded in place by Alembic on open, never dropped. Writes
use ``with store.transaction() as db:`` so each unit of work commits whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from facefit.config import db_url, keep_private

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x46414345  # PostgreSQL advisory lock key held while migrating ("FACE")
SCHEMA_HEAD = "0009"
"""The newest migration. Checked against Alembic by a test; lets an up-to-date database open without
importing Alembic (~0.5 s of every command's start-up)."""


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url`` that needs no alembic.ini on disk."""
    from alembic.config import Config  # Alembic costs ~0.5 s to import: only when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A writer waits up to 15 s for another's commit instead of failing with "database is locked": 50
    # concurrent web clients, one in five writing, stay error-free (bench/bench_token_load.py).
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


READ_STATEMENTS = ("SELECT", "PRAGMA", "EXPLAIN")
QUEUE_WAIT_S = 20.0
SQLITE_POOL = 48


def queue_sqlite_writers(engine: Engine) -> None:
    """Let this process's SQLite writers take turns in a queue instead of polling for the file's lock.

    SQLite has one writer at a time, and a waiting writer polls: it sleeps (up to 100 ms a try) and
    tries again. Under steady writes a poller can lose every try until busy_timeout runs out: 50 web
    clients, ten of them writing, once waited 15 s and got "database is locked" (a 500) on a busy CI
    machine. So a connection takes a process-wide lock before its first write statement and gives it
    back when the pool gets the connection back (after the commit or rollback), and writers queue on a
    lock that wakes them in turn. Reads never take it: WAL readers do not wait for the writer.
    busy_timeout still covers writers in other processes.
    """
    writers = threading.Lock()

    def before_execute(connection: Connection, _cursor: object, statement: str, *_args: object) -> None:
        held = connection.connection.record_info  # kept through invalidation, unlike .info
        if held.get("writing") or statement.lstrip()[:7].upper().startswith(READ_STATEMENTS):
            return
        # A thread that already writes on another connection would wait for itself: after the wait it
        # goes on without the queue, to SQLite's own busy wait (the behaviour before the queue).
        # A turn not had in time is not asked for again in this transaction (it would wait once more
        # while holding SQLite's own write lock); the connection goes on as unqueued until it is back.
        held["writing"] = "queued" if writers.acquire(timeout=QUEUE_WAIT_S) else "unqueued"

    def checkin(_dbapi_connection: object, record: Any) -> None:
        if record.record_info.pop("writing", None) == "queued":
            writers.release()

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine.pool, "checkin", checkin)


SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def private_sqlite_file(path: Path) -> None:
    """Make the database file owner-only (0600) before SQLite opens it, whatever the umask.

    SQLite gives its -wal and -shm files the database file's mode, so those are 0600 too; files an older
    FaceFit left readable by others are tightened.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in SQLITE_FILES:
        keep_private(path.with_name(path.name + suffix), 0o600)


def make_engine(url: str) -> Engine:
    """Engine with SQLite made safe for concurrent readers and crash-consistent (WAL, foreign keys), and
    its file private to its owner."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            private_sqlite_file(Path(path))
        # A connection for every web worker thread (40) and then some: a request thread waits for its
        # turn to write, never for a connection. With SQLAlchemy's default 5 + 10, 50 clients once held
        # all 15 while queued writers waited, and a read timed out after 30 s (a 500, in CI).
        engine = create_engine(url, connect_args={"check_same_thread": False}, pool_size=SQLITE_POOL,
                               max_overflow=SQLITE_POOL)
        event.listen(engine, "connect", _sqlite_pragmas)
        queue_sqlite_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return _revision(connection)


def upgrade(engine: Engine, url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (skips Alembic entirely when already at head).

    One process migrates at a time: the first command run after an update (or several started at once
    on a new database) takes an exclusive lock, the others wait for it and then find the schema done,
    instead of failing on "table already exists".
    """
    at_head = revision in ("head", SCHEMA_HEAD)
    if at_head and current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    cfg = alembic_config(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        elif engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if at_head and _revision(connection) == SCHEMA_HEAD:
            return
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


@dataclass
class Store:
    """A migrated database plus a session factory. Cheap to pass around; create one per process."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url`` or :func:`facefit.config.db_url`."""
    url = url or db_url()
    engine = make_engine(url)
    if migrate:
        upgrade(engine, url)
    return Store(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
