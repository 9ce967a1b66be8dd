"""Percentiles of business-time durations, computed in the database.

Definition (the same on both databases, and the same as Excel's PERCENTILE.INC): linear interpolation
between the two nearest ranks. With the n non-null values of a group sorted ascending, x[0..n-1], and
h = p × (n − 1): P(p) = x[⌊h⌋] + (x[⌈h⌉] − x[⌊h⌋]) × (h − ⌊h⌋). NULL durations (not yet responded/resolved)
are left out; a group without values gives NULL.

PostgreSQL has it built in (percentile_cont … WITHIN GROUP). SQLite has no ordered-set aggregates, so the
SQLite variant numbers the rows of each group with ROW_NUMBER() and COUNT() OVER (PARTITION BY group) and
picks the rows at ranks ⌊h⌋+1 and ⌊h⌋+2. Both evaluate h and the interpolation in IEEE double precision in
the same order PostgreSQL's float8_lerp does, so the two give bit-identical results.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import F, IntegerField, QuerySet, Value

PERCENTILES = (0.5, 0.9, 0.95)


#: The key of the totals row in duration_percentiles(..., with_total=True).
TOTAL = "__total__"


def duration_percentiles(
    qs: QuerySet[Any],
    *,
    group_field: str | None,
    fields: tuple[str, ...] = ("response_minutes", "resolution_minutes"),
    percentiles: tuple[float, ...] = PERCENTILES,
    variant: str | None = None,
    with_total: bool = False,
) -> dict[Any, dict[str, dict[float, float | None]]]:
    """{group key: {field: {p: value}}} for the rows of `qs` (a ServiceRequest queryset), in one query.

    `group_field` is a column of the queryset's model (a foreign key gives its id); None gives one group with
    the key None. `with_total` adds the figures over all rows under the key TOTAL, in the same query (PostgreSQL:
    grouping sets; the window variant: the rows once more as one partition). `variant` forces "percentile_cont"
    or "window" (the tests run both on PostgreSQL).
    """
    ps = [float(p) for p in percentiles]
    if not all(0.0 <= p <= 1.0 for p in ps):
        raise ValueError("percentiles must be within [0, 1]")
    key = F(group_field) if group_field else Value(0, output_field=IntegerField())
    aliases = {f"m{i}": F(name) for i, name in enumerate(fields)}
    inner = qs.order_by().annotate(rk=key, **aliases).values("rk", *aliases)
    inner_sql, params = inner.query.get_compiler(using=qs.db).as_sql()
    vendor = connections[qs.db].vendor
    variant = variant or ("percentile_cont" if vendor == "postgresql" else "window")
    if variant == "percentile_cont":
        sql = _postgresql(inner_sql, len(fields), ps, with_total=with_total)
    else:
        ms = ", ".join(f"m{i}" for i in range(len(fields)))
        source = f"SELECT 0 AS tot, rk, {ms} FROM ({inner_sql}) sub0"  # noqa: S608 (fixed column names)
        if with_total:
            source += f" UNION ALL SELECT 1, NULL, {ms} FROM ({inner_sql}) sub1"  # noqa: S608
            params = (*params, *params)
        sql = _window(source, len(fields), ps, floor="FLOOR" if vendor == "postgresql" else "")
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: dict[Any, dict[str, dict[float, float | None]]] = {}
    for row in rows:
        k = TOTAL if row[0] else (row[1] if group_field else None)
        values = iter(row[2:])
        out[k] = {name: {p: _num(next(values)) for p in ps} for name in fields}
    return out


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _postgresql(inner_sql: str, nfields: int, ps: list[float], *, with_total: bool) -> str:
    cols = ", ".join(f"percentile_cont({p!r}) WITHIN GROUP (ORDER BY m{i})" for i in range(nfields) for p in ps)
    if with_total:
        return f"SELECT GROUPING(rk), rk, {cols} FROM ({inner_sql}) sub GROUP BY GROUPING SETS ((rk), ())"  # noqa: S608
    return f"SELECT 0, rk, {cols} FROM ({inner_sql}) sub GROUP BY rk"  # noqa: S608 (fixed column names and floats)


def _window(source_sql: str, nfields: int, ps: list[float], *, floor: str) -> str:
    """Nearest-rank rows by window functions (SQLite ≥ 3.25; also valid PostgreSQL, used in the tests).

    SQLite's CAST(h AS INTEGER) truncates, which is floor for h ≥ 0; PostgreSQL's CAST rounds, so there FLOOR().
    """

    def fl(expr: str) -> str:
        return f"FLOOR({expr})" if floor else f"CAST({expr} AS INTEGER)"

    numbered = ", ".join(
        f"m{i}, ROW_NUMBER() OVER (PARTITION BY tot, rk, m{i} IS NULL ORDER BY m{i}) AS r{i}, "
        f"COUNT(m{i}) OVER (PARTITION BY tot, rk) AS n{i}"
        for i in range(nfields)
    )
    picks = []
    finals = []
    for i in range(nfields):
        for j, p in enumerate(ps):
            h = f"(CAST({p!r} AS DOUBLE PRECISION) * (n{i} - 1))"
            lo, hi = f"lo{i}_{j}", f"hi{i}_{j}"
            picks.append(f"MAX(CASE WHEN m{i} IS NOT NULL AND r{i} = {fl(h)} + 1 THEN m{i} END) AS {lo}")
            picks.append(f"MAX(CASE WHEN m{i} IS NOT NULL AND r{i} = {fl(h)} + 2 THEN m{i} END) AS {hi}")
            # float8_lerp order: lo + (hi - lo) * proportion; ranks past the end (h integral) fall back to lo.
            finals.append(
                f"CASE WHEN {h} > {fl(h)} "
                f"THEN CAST({lo} AS DOUBLE PRECISION) + CAST({hi} - {lo} AS DOUBLE PRECISION) * ({h} - {fl(h)}) "
                f"ELSE CAST({lo} AS DOUBLE PRECISION) END"
            )
    ns = ", ".join(f"n{i}" for i in range(nfields))
    return (
        f"WITH s AS (SELECT tot, rk, {numbered} FROM ({source_sql}) sub), "  # noqa: S608
        f"a AS (SELECT tot, rk, {ns}, {', '.join(picks)} FROM s GROUP BY tot, rk, {ns}) "
        f"SELECT tot, rk, {', '.join(finals)} FROM a"
    )
