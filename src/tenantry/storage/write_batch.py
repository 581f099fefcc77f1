"""A unit of work's last writes sent as one statement on PostgreSQL.

Creating a customer is an idempotency claim and five rows in five tables (more with an
order). Sent one by one, with BEGIN and COMMIT around them, that is eight round trips to
the server, each with its share of the protocol's and the event loop's work on both sides:
on PostgreSQL the most expensive part of a create. Collected here and sent as one
statement, it is one.

The statement: the claim (an insert that may take over an expired row, and returns a row
when it did either) is a data-modifying CTE; each table's rows are inserted by a CTE that
selects them *from the claim*, so they go in only if the claim did; the statement returns
how many rows the claim returned. A claim refused (a live record holds the key) thus writes
nothing, and is raised as the claim's own refusal. Foreign keys between the rows hold:
PostgreSQL checks them at the end of the statement, when all of its rows are in.

When nothing else was sent in the unit of work's transaction, the statement runs on its
own (`Prepared.first(..., last=True)`): one statement is atomic by itself, and the commit
then has nothing to send. Otherwise it runs inside the transaction like any statement.

A statement that fails is translated by the writers' own translators (in the order the
writes were collected; the first that recognises the error decides), so that a taken
domain is still `DomainAlreadyTaken`, as when the insert ran alone.
See docs/decisions/0032-a-create-in-one-statement.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, literal_column, select, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import BindParameter

from tenantry.storage.prepared import Prepared

Row = Mapping[str, Any]
# An error of the whole statement → the error a writer raises for it, or None.
Translator = Callable[[DBAPIError], BaseException | None]
# Builds the claim as an INSERT ... ON CONFLICT from the values' parameters.
ClaimBuilder = Callable[[Mapping[str, BindParameter[Any]]], Any]


@dataclass(frozen=True)
class _Claim:
    key: str  # names the builder in the statement cache
    table: Table
    row: Row
    build: ClaimBuilder
    refused: Callable[[], BaseException]


class WriteBatch:
    """The writes collected while a unit of work's `writes_then_commit()` block runs."""

    def __init__(self) -> None:
        self.collecting = False
        self._claim: _Claim | None = None
        self._rows: list[tuple[Table, list[Row]]] = []
        self._translators: list[Translator] = []

    def claim(
        self,
        key: str,
        table: Table,
        row: Row,
        build: ClaimBuilder,
        *,
        refused: Callable[[], BaseException],
        translate: Translator,
    ) -> None:
        """The batch's guard: the rows go in only if this insert does (or takes over)."""
        if self._claim is not None or self._rows:
            raise RuntimeError("a batch's claim comes first, and once")
        self._claim = _Claim(key, table, row, build, refused)
        self._translators.append(translate)

    def insert(self, rows: Sequence[tuple[Table, Sequence[Row]]], translate: Translator) -> None:
        """Rows to insert, table by table (parents before children)."""
        self._rows += [(table, list(table_rows)) for table, table_rows in rows if table_rows]
        self._translators.append(translate)

    def clear(self) -> None:
        """Forget what was collected (the unit of work rolls back)."""
        self._claim, self._rows, self._translators = None, [], []

    async def send(self, conn: AsyncConnection) -> None:
        """Send what was collected as one statement; then the batch is empty."""
        claim, rows, translators = self._claim, self._rows, self._translators
        self.clear()
        if claim is None and not rows:
            return
        shape = _shape(claim, rows)
        prepared = _STATEMENTS.get(shape)
        if prepared is None:
            prepared = _STATEMENTS[shape] = Prepared(_statement(claim, rows))
        values = dict(_values(claim, rows))
        try:
            answer = await prepared.first(conn, values, last=True)
        except DBAPIError as exc:
            for translate in translators:
                if (mapped := translate(exc)) is not None:
                    raise mapped from exc
            raise
        if claim is not None and (answer is None or not answer["claimed"]):
            raise claim.refused()


_Shape = tuple[Any, ...]
_STATEMENTS: dict[_Shape, Prepared] = {}


def _shape(claim: _Claim | None, rows: list[tuple[Table, list[Row]]]) -> _Shape:
    """What the statement's text depends on: the tables, their columns, the row counts."""
    head = None if claim is None else (claim.key, tuple(claim.row))
    return (head, *((table.name, tuple(r[0]), len(r)) for table, r in rows))


def _name(part: int, row: int, key: str) -> str:
    return f"p{part}_{row}_{key}"


def _parameters(part: int, row: int, table: Table, keys: Sequence[str]) -> dict[str, Any]:
    return {key: bindparam(_name(part, row, key), type_=table.c[key].type) for key in keys}


def _statement(claim: _Claim | None, rows: list[tuple[Table, list[Row]]]) -> Select[Any]:
    source = None
    if claim is not None:
        build = claim.build(_parameters(0, 0, claim.table, tuple(claim.row)))
        source = build.returning(literal_column("1").label("ok")).cte("claimed")
    ctes = []
    for part, (table, table_rows) in enumerate(rows, 1):
        keys = tuple(table_rows[0])
        selects = []
        for n in range(len(table_rows)):
            values = list(_parameters(part, n, table, keys).values())
            one = select(*values)
            selects.append(one if source is None else one.select_from(source))
        body = selects[0] if len(selects) == 1 else union_all(*selects)
        ctes.append(insert(table).from_select(list(keys), body).cte(f"rows_{part}"))
    if source is None:
        return select(literal_column("1").label("claimed")).add_cte(*ctes)
    return select(func.count().label("claimed")).select_from(source).add_cte(*ctes)


def _values(claim: _Claim | None, rows: list[tuple[Table, list[Row]]]) -> Any:
    if claim is not None:
        for key, value in claim.row.items():
            yield _name(0, 0, key), value
    for part, (_, table_rows) in enumerate(rows, 1):
        for n, row in enumerate(table_rows):
            for key, value in row.items():
                yield _name(part, n, key), value
