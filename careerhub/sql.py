"""Plain SQL for the few hot reads, with values as the ORM would give them.

A phone opens its roadmap far more often than anything else, and for such small indexed reads
Django spends longer compiling the query and building its rows than PostgreSQL spends running it.
The hot selectors therefore write their SQL once and read plain rows; ``Columns`` names a model's
columns for such a statement and converts what comes back exactly as the ORM does (the database
backend's converters, then the field's own: JSON decoded on every engine; booleans, dates and
timestamps too on SQLite, which the demo runs on).

On PostgreSQL their statements are prepared (``prepared_cursor``): parsed and planned once per
connection rather than on every request, which for these statements cost PostgreSQL more than
running them. (Behind PgBouncer in transaction mode that needs PgBouncer 1.21 or later with
``max_prepared_statements`` set; see docs/performance.md.)
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model

try:
    import psycopg
    from psycopg.pq import Format

    # psycopg's own timestamp loader (compiled, with psycopg[binary]): in a session on UTC it gives
    # what Django's gives (aware, in UTC), several times faster. Django's adds a time zone of its own,
    # needed only when Django's and the session's differ.
    _TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)

    class _PreparingCursor(psycopg.Cursor):
        """Binds parameters on the server and prepares every statement it runs (Django's own cursors
        send each query as text with the values in it, never prepared)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

except ImportError:  # psycopg is only needed on PostgreSQL
    _PreparingCursor = None


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs the statement as sent, its values apart (Django would ask psycopg for the text of the
    last query, which a prepared statement's execution does not keep)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor for the hot selectors' fixed statements: prepared on PostgreSQL, plain elsewhere.

    It is Django's cursor wrapper around it, so database errors come as Django's and the queries
    are counted and logged like any other (the query-count tests see them).
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # What Django's own cursor() does first: the health check, the connection, the error mapping.
    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _PreparingCursor(connection.connection)
    if connection.timezone_name == "UTC":
        raw.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)
    wrapper = _PreparedDebugWrapper if connection.queries_logged else CursorWrapper
    with wrapper(raw, connection) as cursor:
        yield cursor


class Columns:
    """Columns of one model in a plain-SQL statement, and their values converted as the ORM converts them."""

    def __init__(self, model: type[Model], names: Sequence[str], alias: str) -> None:
        self.model = model
        self.names = tuple(names)
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list, Any]]] = {}

    @property
    def sql(self) -> str:
        """``alias.column, ...`` for a SELECT list (``names`` are field names or attnames)."""
        return ", ".join(f"{self.alias}.{self.model._meta.get_field(name).column}" for name in self.names)

    def converters(self, db) -> list[tuple[int, list, Any]]:
        """(position, converters, column) of the columns that need converting, on ``db``'s engine."""
        if db.vendor not in self._converters:
            found = []
            for position, name in enumerate(self.names):
                column = self.model._meta.get_field(name).get_col(self.alias)
                functions = db.ops.get_db_converters(column) + column.get_db_converters(db)
                if functions:
                    found.append((position, functions, column))
            self._converters[db.vendor] = found
        return self._converters[db.vendor]

    def convert(self, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """The first ``len(names)`` values of each row, converted."""
        db = connections[DEFAULT_DB_ALIAS]  # once: each use of the ``connection`` proxy costs a lookup
        converters = self.converters(db)
        size = len(self.names)
        converted = []
        for values in rows:
            row = list(values[:size])
            for position, functions, column in converters:
                value = row[position]
                for function in functions:
                    value = function(value, column, db)
                row[position] = value
            converted.append(row)
        return converted

    def dicts(self, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in self.convert(rows)]

    def instance(self, values: Sequence[Any]) -> Model:
        """A model instance of these columns (the others deferred: read on first use, as ``only()`` does)."""
        return self.model.from_db(DEFAULT_DB_ALIAS, self.names, self.convert([values])[0])
