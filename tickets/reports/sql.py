"""Percentiles of business-time durations, computed in the database.

Definition (the same on both databases, and the same as Excel's PERCENTILE.INC): linear interpolation
between the two nearest ranks. With the n non-null values of a group sorted ascending, x[0..n-1], and
h = p × (n − 1): P(p) = x[⌊h⌋] + (x[⌈h⌉] − x[⌊h⌋]) × (h − ⌊h⌋). NULL durations (not yet responded/resolved)
are left out; a group without values gives NULL.

PostgreSQL has it built in (percentile_cont … WITHIN GROUP). SQLite has no ordered-set aggregates. The durations
are whole minutes, so on SQLite the database counts each group's rows per distinct value (one GROUP BY, a
histogram of a few thousand rows for a year of 100k requests) and the ranks ⌊h⌋ and ⌊h⌋+1 are picked from the
cumulative counts (`_from_histogram`): a year's percentiles took 1–2 s of window functions over every row, which
the window variant (ROW_NUMBER() and COUNT() OVER (PARTITION BY group), kept for the tests) still shows. All three
evaluate h and the interpolation in IEEE double precision in the same order PostgreSQL's float8_lerp does, so
they give bit-identical results.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from itertools import accumulate
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
    grouping sets; the window variant: the rows once more as one partition; the histogram: summed from the
    groups'). `variant` forces "percentile_cont", "window" or "histogram" (the tests compare them).
    """
    ps = [float(p) for p in percentiles]
    if not all(0.0 <= p <= 1.0 for p in ps):
        raise ValueError("percentiles must be within [0, 1]")
    key = F(group_field) if group_field else Value(0, output_field=IntegerField())
    aliases = {f"m{i}": F(name) for i, name in enumerate(fields)}
    inner = qs.order_by().annotate(rk=key, **aliases).values("rk", *aliases)
    inner_sql, params = inner.query.get_compiler(using=qs.db).as_sql()
    vendor = connections[qs.db].vendor
    variant = variant or "histogram"
    if variant == "histogram":
        return _from_histogram(
            qs.db, inner_sql, params, fields, ps, grouped=bool(group_field), with_total=with_total, vendor=vendor
        )
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


def _from_histogram(
    db: str,
    inner_sql: str,
    params: Any,
    fields: tuple[str, ...],
    ps: list[float],
    *,
    grouped: bool,
    with_total: bool,
    vendor: str,
) -> dict[Any, dict[str, dict[float, float | None]]]:
    """Percentiles from the counts of each distinct value per group (whole minutes: few distinct values).

    PostgreSQL counts every field's values in one pass over the rows (grouping sets); SQLite, which has none,
    in one pass per field (UNION ALL)."""
    if vendor == "postgresql":
        ms = ", ".join(f"m{i}" for i in range(len(fields)))
        which = " + ".join(f"{i} * (1 - GROUPING(m{i}))" for i in range(len(fields)))
        value = f"COALESCE({ms})" if len(fields) > 1 else "m0"
        sets = ", ".join(f"(rk, m{i})" for i in range(len(fields)))
        sql = (
            f"SELECT {which} AS f, rk, {value} AS v, COUNT(*) AS n FROM ({inner_sql}) sub "  # noqa: S608 (fixed)
            f"GROUP BY GROUPING SETS ({sets})"
        )
    else:
        sql = " UNION ALL ".join(
            f"SELECT {i} AS f, rk, m{i} AS v, COUNT(*) AS n FROM ({inner_sql}) sub{i} "  # noqa: S608 (fixed names)
            f"GROUP BY rk, m{i}"  # NULLs counted too: a group with no value still has a row
            for i in range(len(fields))
        )
        params = tuple(params) * len(fields)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, tuple(params))
        rows = cursor.fetchall()
    groups: set[Any] = set()
    counts: dict[tuple[int, Any], dict[Any, int]] = defaultdict(dict)
    for f, rk, value, n in rows:
        key = rk if grouped else None
        groups.add(key)
        if value is None:
            continue
        counts[(f, key)][value] = counts[(f, key)].get(value, 0) + n
        if with_total:
            total = counts[(f, TOTAL)]
            total[value] = total.get(value, 0) + n
    if with_total:
        groups.add(TOTAL)
    return {key: {name: _picks(counts.get((i, key), {}), ps) for i, name in enumerate(fields)} for key in groups}


def _picks(histogram: dict[Any, int], ps: list[float]) -> dict[float, float | None]:
    values = sorted(histogram)
    cumulative = list(accumulate(histogram[v] for v in values))
    n = cumulative[-1] if cumulative else 0
    out: dict[float, float | None] = {}
    for p in ps:
        if not n:
            out[p] = None
            continue
        h = p * (n - 1)
        floor = math.floor(h)
        lo = values[bisect_right(cumulative, floor)]  # the value at 0-based rank floor
        if h > floor:
            hi = values[bisect_right(cumulative, floor + 1)]
            out[p] = float(lo) + float(hi - lo) * (h - floor)
        else:
            out[p] = float(lo)
    return out
