"""Bring whatever tables a database has to the shape a `MetaData` describes, changing only
what is missing or different, on SQLite and PostgreSQL. Running it twice changes nothing.

Per table of the MetaData (parents first):

- missing: created, with its indexes;
- columns missing, out of order, or a different primary key; and on SQLite any other
  column or constraint difference (SQLite cannot alter a column): the table is rebuilt.
  A new table is made, the rows copied (a new NOT NULL column without a default is
  filled from the expression `fill` names for it), the old one dropped. PostgreSQL's
  foreign keys from other tables are dropped first and put back under their own names;
  SQLite needs `PRAGMA foreign_keys=OFF` for it (`migrate.py` sets it);
- otherwise altered in place: columns missing at the end are added, and on PostgreSQL a
  type (collation included), nullability or default is changed, unique constraints and
  foreign keys added or dropped;
- indexes: a missing one is created, one of the same name on other columns is rebuilt,
  an `ix_…` index the MetaData does not have is dropped.

A column the MetaData does not have is never dropped: a table that would lose one in a
rebuild is refused (`RepairRefused`) instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Column, Connection, Index, MetaData, Table, inspect
from sqlalchemy.schema import CreateTable

from tenantry.storage.schema_shape import (
    OWNED_INDEX_PREFIX,
    TableShape,
    found_shape,
    type_text,
    wanted_shape,
)

# (table, column) → SQL expression over the old table's columns, for a new NOT NULL column
Fill = Mapping[tuple[str, str], str]


class RepairRefused(RuntimeError):
    """The repair would lose data or cannot proceed; the message says why."""


def repair(connection: Connection, target: MetaData, *, fill: Fill | None = None) -> list[str]:
    """Make the database's tables those of `target`; returns what was done, one line each."""
    fill = fill or {}
    done: list[str] = []
    for table in target.sorted_tables:
        found = inspect(connection)
        if not found.has_table(table.name):
            table.create(connection)
            done.append(f"created table {table.name}")
            continue
        have = found_shape(found, table.name)
        want = wanted_shape(table, connection.dialect)
        if _needs_rebuild(have, want, sqlite=connection.dialect.name == "sqlite"):
            _rebuild(connection, table, have, fill)
            done.append(f"rebuilt table {table.name}")
            continue
        done += _alter_in_place(connection, table, have, want, fill)
        done += _fix_indexes(connection, table, have, want)
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RepairRefused(f"rows refer to rows that do not exist: {broken[:3]}")
    return done


def _needs_rebuild(have: TableShape, want: TableShape, *, sqlite: bool) -> bool:
    wanted = [c.name for c in want.columns]
    kept = [c.name for c in have.columns if c.name in wanted]
    missing = [name for name in wanted if name not in kept]
    if kept + missing != wanted or have.primary_key != want.primary_key:
        return True  # columns would land out of order, or another primary key
    if not sqlite:
        return False
    if any(have.column(w.name) != w for w in want.columns if w.name in kept):
        return True
    if any(not w.nullable and w.default is None for w in want.columns if w.name in missing):
        return True  # SQLite adds a NOT NULL column only with a default
    return (
        have.uniques.keys() != want.uniques.keys()
        or have.foreign_keys.keys() != want.foreign_keys.keys()
        or have.checks != want.checks
    )


def _copy_lists(table: Table, have: TableShape, fill: Fill) -> tuple[list[str], list[str]]:
    """The new table's columns to copy into, and what each is copied from."""
    into: list[str] = []
    source: list[str] = []
    for column in table.columns:
        if have.column(column.name) is not None:
            into.append(_q(column.name))
            source.append(_q(column.name))
        elif (table.name, column.name) in fill:
            into.append(_q(column.name))
            source.append(fill[(table.name, column.name)])
        elif not column.nullable and column.server_default is None:
            raise RepairRefused(
                f"{table.name}.{column.name} is missing and nothing says what to fill it with"
            )
    return into, source


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rebuild(connection: Connection, table: Table, have: TableShape, fill: Fill) -> None:
    extra = [c.name for c in have.columns if c.name not in table.c]
    if extra:
        raise RepairRefused(
            f"{table.name} must be rebuilt and has columns this release does not know "
            f"({', '.join(extra)}); remove them first or restore a backup"
        )
    into, source = _copy_lists(table, have, fill)
    # Identifiers are quoted; the fill expressions are the migration's own constants.
    copy = f"({', '.join(into)}) SELECT {', '.join(source)} FROM "  # noqa: S608
    name = _q(table.name)
    if connection.dialect.name == "sqlite":
        if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
            raise RepairRefused(
                f"{table.name} must be rebuilt, which SQLite allows only with foreign keys "
                "off: run the migrations with `tenantry db upgrade`"
            )
        # SQLite's own procedure: build the new table under another name, copy, drop the
        # old one, rename the new one (references from other tables follow the name).
        ddl = str(CreateTable(table).compile(dialect=connection.dialect)).strip()
        prefix = f"CREATE TABLE {connection.dialect.identifier_preparer.format_table(table)} ("
        if not ddl.startswith(prefix):
            raise RepairRefused(f"unexpected DDL for {table.name}: {ddl[:80]}")
        scratch = _q(f"_repair_{table.name}")
        connection.exec_driver_sql(f"CREATE TABLE {scratch} (" + ddl[len(prefix) :])
        connection.exec_driver_sql(f"INSERT INTO {scratch} {copy}{name}")
        connection.exec_driver_sql(f"DROP TABLE {name}")
        connection.exec_driver_sql(f"ALTER TABLE {scratch} RENAME TO {name}")
        for index in table.indexes:
            index.create(connection)
        return
    _rebuild_postgresql(connection, table, have, copy)


def _rebuild_postgresql(connection: Connection, table: Table, have: TableShape, copy: str) -> None:
    found = inspect(connection)
    incoming = [
        (child, fk)
        for child in found.get_table_names()
        if child != table.name
        for fk in found.get_foreign_keys(child)
        if fk["referred_table"] == table.name
    ]
    name, old = _q(table.name), _q(f"_repair_{table.name}")
    for child, fk in incoming:
        connection.exec_driver_sql(f"ALTER TABLE {_q(child)} DROP CONSTRAINT {_q(str(fk['name']))}")
    connection.exec_driver_sql(f"ALTER TABLE {name} RENAME TO {old}")
    # Free the names of the old table's indexes and constraints for the new table.
    for index in have.indexes:
        connection.exec_driver_sql(f"DROP INDEX {_q(index)}")
    constraints = [*have.foreign_keys.values(), *have.uniques.values(), *sorted(have.checks)]
    for constraint in [*constraints, have.primary_key_name]:
        if constraint:
            connection.exec_driver_sql(f"ALTER TABLE {old} DROP CONSTRAINT {_q(constraint)}")
    table.create(connection)
    connection.exec_driver_sql(f"INSERT INTO {name} {copy}{old}")
    connection.exec_driver_sql(f"DROP TABLE {old}")
    for child, fk in incoming:
        connection.exec_driver_sql(
            f"ALTER TABLE {_q(child)} ADD CONSTRAINT {_q(str(fk['name']))} FOREIGN KEY "
            f"({', '.join(map(_q, fk['constrained_columns']))}) REFERENCES {name} "
            f"({', '.join(map(_q, fk['referred_columns']))})"
        )


def _alter_in_place(
    connection: Connection, table: Table, have: TableShape, want: TableShape, fill: Fill
) -> list[str]:
    done: list[str] = []
    ddl = connection.dialect.ddl_compiler(connection.dialect, CreateTable(table))
    name = _q(table.name)

    def run(statement: str, what: str) -> None:
        connection.exec_driver_sql(statement)
        done.append(f"{table.name}: {what}")

    for wanted in want.columns:
        column: Column[object] = table.c[wanted.name]
        found = have.column(wanted.name)
        if found is None:
            if wanted.nullable or wanted.default is not None:
                spec = ddl.get_column_specification(column)
                run(f"ALTER TABLE {name} ADD COLUMN {spec}", f"added column {wanted.name}")
                continue
            if (table.name, wanted.name) not in fill:
                raise RepairRefused(f"{table.name}.{wanted.name} is missing and cannot be filled")
            col = _q(wanted.name)
            run(f"ALTER TABLE {name} ADD COLUMN {col} {wanted.type}", f"added column {wanted.name}")
            fill_with = fill[(table.name, wanted.name)]
            run(f"UPDATE {name} SET {col} = {fill_with}", "filled it")  # noqa: S608
            run(f"ALTER TABLE {name} ALTER COLUMN {col} SET NOT NULL", "made it NOT NULL")
            continue
        col = _q(wanted.name)
        if found.type != wanted.type:
            kind = type_text(column.type, connection.dialect)
            run(f"ALTER TABLE {name} ALTER COLUMN {col} TYPE {kind}", f"{wanted.name} is {kind}")
        if found.default != wanted.default:
            default = ddl.get_column_default_string(column)
            change = f"SET DEFAULT {default}" if default is not None else "DROP DEFAULT"
            run(f"ALTER TABLE {name} ALTER COLUMN {col} {change}", f"{wanted.name} default")
        if found.nullable != wanted.nullable:
            if not wanted.nullable and (table.name, wanted.name) in fill:
                fill_with = fill[(table.name, wanted.name)]
                filled = f"UPDATE {name} SET {col} = {fill_with} WHERE {col} IS NULL"  # noqa: S608
                run(filled, "filled nulls")
            change = "DROP NOT NULL" if wanted.nullable else "SET NOT NULL"
            run(f"ALTER TABLE {name} ALTER COLUMN {col} {change}", f"{wanted.name} {change}")
    for columns, constraint in have.uniques.items():
        if columns not in want.uniques and constraint:
            run(f"ALTER TABLE {name} DROP CONSTRAINT {_q(constraint)}", f"dropped {constraint}")
    for columns in want.uniques.keys() - have.uniques.keys():
        listed = ", ".join(map(_q, columns))
        run(f"ALTER TABLE {name} ADD UNIQUE ({listed})", f"unique ({', '.join(columns)})")
    for key, constraint in have.foreign_keys.items():
        if key not in want.foreign_keys and constraint:
            run(f"ALTER TABLE {name} DROP CONSTRAINT {_q(constraint)}", f"dropped {constraint}")
    for columns, parent, referred in want.foreign_keys.keys() - have.foreign_keys.keys():
        run(
            f"ALTER TABLE {name} ADD FOREIGN KEY ({', '.join(map(_q, columns))}) "
            f"REFERENCES {_q(parent)} ({', '.join(map(_q, referred))})",
            f"foreign key ({', '.join(columns)}) → {parent}",
        )
    return done


def _fix_indexes(
    connection: Connection, table: Table, have: TableShape, want: TableShape
) -> list[str]:
    done: list[str] = []
    for index, spec in have.indexes.items():
        if want.indexes.get(index) == spec:
            continue
        if index in want.indexes or index.startswith(OWNED_INDEX_PREFIX):
            connection.exec_driver_sql(f"DROP INDEX {_q(index)}")
            done.append(f"{table.name}: dropped index {index}")
    ordered: list[Index] = sorted(table.indexes, key=lambda i: str(i.name))
    for wanted in ordered:
        if have.indexes.get(str(wanted.name)) != want.indexes[str(wanted.name)]:
            wanted.create(connection)
            done.append(f"{table.name}: created index {wanted.name}")
    return done
