"""The shape of a database's tables, the shape a `MetaData` describes, and how they differ.

A shape is what a client of the database depends on: columns in order with their types
(as the dialect writes them, collation included), nullability and server defaults; the
primary key; unique constraints and foreign keys by their columns; check constraints by
name; indexes by name. Tenantry's schema is the tables of `tables.py`, and on those tables
the indexes named `ix_…` (the names Tenantry gives; an index of the operator's own, named
otherwise, is left alone and not reported). Tables the MetaData does not describe are
not Tenantry's either.

`differences` is what `tenantry db check` reports as drift; the repair revision (0004)
reads the same shapes to decide what to create or alter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, MetaData, Table, inspect
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.exc import CompileError
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeEngine

OWNED_INDEX_PREFIX = "ix_"

# (constrained columns, referred table, referred columns)
ForeignKeyKey = tuple[tuple[str, ...], str, tuple[str, ...]]


@dataclass(frozen=True)
class ColumnShape:
    name: str
    type: str
    nullable: bool
    default: str | None


@dataclass(frozen=True)
class TableShape:
    columns: tuple[ColumnShape, ...]
    primary_key: tuple[str, ...]
    primary_key_name: str | None
    uniques: Mapping[tuple[str, ...], str | None]  # columns → constraint name
    foreign_keys: Mapping[ForeignKeyKey, str | None]  # → constraint name
    checks: frozenset[str]
    indexes: Mapping[str, tuple[tuple[str, ...], bool]]  # name → (columns, unique)

    def column(self, name: str) -> ColumnShape | None:
        return next((c for c in self.columns if c.name == name), None)


def type_text(type_: TypeEngine[Any], dialect: Dialect) -> str:
    """The type as the dialect writes it in DDL: `VARCHAR(64) COLLATE "C"`, `DATETIME`."""
    try:
        return type_.compile(dialect=dialect)
    except CompileError:  # a type reflection could not name (NullType)
        return str(type_)


_CAST = re.compile(r"::[\w \"\.]+(\[\])?$")


def default_text(text: str | None) -> str | None:
    """A server default without PostgreSQL's casts, SQLite's parentheses or the quotes."""
    if text is None:
        return None
    value = text.strip()
    while _CAST.search(value):
        value = _CAST.sub("", value).strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    return value


def found_shape(found: Inspector, table: str) -> TableShape:
    """The shape of `table` as the database has it."""
    dialect = found.dialect
    columns = tuple(
        ColumnShape(
            c["name"],
            type_text(c["type"], dialect),
            bool(c["nullable"]),
            default_text(c.get("default")),
        )
        for c in found.get_columns(table)
    )
    pk = found.get_pk_constraint(table)
    return TableShape(
        columns=columns,
        primary_key=tuple(pk.get("constrained_columns") or ()),
        primary_key_name=pk.get("name"),
        uniques={
            tuple(u["column_names"]): u.get("name") for u in found.get_unique_constraints(table)
        },
        foreign_keys={
            (
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            ): fk.get("name")
            for fk in found.get_foreign_keys(table)
        },
        checks=frozenset(str(c.get("name")) for c in found.get_check_constraints(table)),
        indexes={
            str(i["name"]): (tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
            for i in found.get_indexes(table)
            if not i.get("duplicates_constraint")  # PostgreSQL: a unique constraint's index
        },
    )


def _wanted_default(table: Table, name: str) -> str | None:
    default = table.c[name].server_default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    return default_text(arg.text if isinstance(arg, TextClause) else str(arg))


def wanted_shape(table: Table, dialect: Dialect) -> TableShape:
    """The shape `table` describes, as `dialect` would build it."""
    from sqlalchemy import CheckConstraint, UniqueConstraint

    return TableShape(
        columns=tuple(
            ColumnShape(
                c.name, type_text(c.type, dialect), bool(c.nullable), _wanted_default(table, c.name)
            )
            for c in table.columns
        ),
        primary_key=tuple(c.name for c in table.primary_key.columns),
        primary_key_name=None,
        uniques={
            tuple(c.name for c in u.columns): None
            for u in table.constraints
            if isinstance(u, UniqueConstraint)
        },
        foreign_keys={
            (
                tuple(c.name for c in fk.columns),
                fk.referred_table.name,
                tuple(e.column.name for e in fk.elements),
            ): None
            for fk in table.foreign_key_constraints
        },
        checks=frozenset(str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)),
        indexes={
            str(i.name): (tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes
        },
    )


def _columns(name: str, found: TableShape, wanted: TableShape) -> list[str]:
    lines: list[str] = []
    have = {c.name for c in found.columns}
    want = {c.name for c in wanted.columns}
    lines += [f"{name}.{c.name}: column is missing" for c in wanted.columns if c.name not in have]
    lines += [
        f"{name}.{c.name}: column is not expected" for c in found.columns if c.name not in want
    ]
    for w in wanted.columns:
        f = found.column(w.name)
        if f is None:
            continue
        if f.type != w.type:
            lines.append(f"{name}.{w.name}: type {f.type}, expected {w.type}")
        if f.nullable != w.nullable:
            lines.append(
                f"{name}.{w.name}: "
                + ("nullable, expected NOT NULL" if f.nullable else "NOT NULL, expected nullable")
            )
        if f.default != w.default:
            lines.append(f"{name}.{w.name}: default {f.default!r}, expected {w.default!r}")
    order = [c.name for c in found.columns if c.name in want]
    if not lines and order != [c.name for c in wanted.columns]:
        lines.append(f"{name}: columns out of order ({', '.join(order)})")
    return lines


def table_differences(name: str, found: TableShape, wanted: TableShape) -> list[str]:
    """What differs in one table, one line each."""
    lines = _columns(name, found, wanted)
    if found.primary_key != wanted.primary_key:
        lines.append(f"{name}: primary key {found.primary_key}, expected {wanted.primary_key}")
    for columns in wanted.uniques.keys() - found.uniques.keys():
        lines.append(f"{name}: unique constraint on {', '.join(columns)} is missing")
    for columns in found.uniques.keys() - wanted.uniques.keys():
        lines.append(f"{name}: unique constraint on {', '.join(columns)} is not expected")
    for key in wanted.foreign_keys.keys() - found.foreign_keys.keys():
        lines.append(f"{name}: foreign key {_fk(key)} is missing")
    for key in found.foreign_keys.keys() - wanted.foreign_keys.keys():
        lines.append(f"{name}: foreign key {_fk(key)} is not expected")
    for check in sorted(wanted.checks ^ found.checks):
        lines.append(f"{name}: check constraint {check} differs")
    for index, spec in wanted.indexes.items():
        if index not in found.indexes:
            lines.append(f"{name}: index {index} is missing")
        elif found.indexes[index] != spec:
            lines.append(f"{name}: index {index} is on {found.indexes[index]}, expected {spec}")
    for index in found.indexes.keys() - wanted.indexes.keys():
        if index.startswith(OWNED_INDEX_PREFIX):
            lines.append(f"{name}: index {index} is not expected")
    return lines


def _fk(key: ForeignKeyKey) -> str:
    return f"({', '.join(key[0])}) → {key[1]} ({', '.join(key[2])})"


def differences(connection: Connection, metadata: MetaData) -> list[str]:
    """Everything in which the database's tables differ from `metadata`'s, one line each;
    empty when the database has exactly the schema a fresh one gets."""
    found = inspect(connection)
    present = set(found.get_table_names())
    lines: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            lines.append(f"table {table.name} is missing")
            continue
        lines += table_differences(
            table.name, found_shape(found, table.name), wanted_shape(table, connection.dialect)
        )
    return lines
