"""Word search over requests: a Chinese segmenter feeding the database's own full-text index.

A request's title, description and public comments are cut into words by jieba (its dictionary ships with the
package, nothing is downloaded) in search mode (卫生间 also gives 卫生), without its HMM guesser, so a word is cut the
same way in a request and in a query. The words are stored space-separated in `ServiceRequest.search_tokens` when
the request or a public comment is saved (`pre_save` and `post_save` receivers, so the filing path, the admin and
the demo all keep it; an internal note's words stay out), and the database indexes that column:

- PostgreSQL: a stored generated column `search_vector` = ``to_tsvector('simple', search_tokens)`` with a GIN
  index (migration 0013); a query is ``search_vector @@ plainto_tsquery('simple', words)``, every word required.
  The column is the database's, not the model's (SQLite has no tsvector), so `_VectorMatches` names it.
- SQLite: an FTS5 table `tickets_request_fts` over the column (external content, kept by triggers); a query is
  ``MATCH '"w1" "w2"'``. A later migration that rebuilds the requests table drops SQLite's triggers, so
  `ensure_sqlite_index` (after every `migrate`) puts them back and rebuilds the index if one was missing.

`text_q()` is what the API's `q` and the pages' search box use: the words of the query through the index, a
request number (SD000123 or 123) by its id, and a query with no word of two or more characters (a single
character, punctuation) by the old substring match, so single-character searches still work.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from django.db import connection as default_connection
from django.db.models import BooleanField, Expression, Q
from django.db.models.expressions import RawSQL

WORD = re.compile(r"\w+")
FTS_TABLE = "tickets_request_fts"

_SQLITE_TRIGGERS = {
    "tickets_request_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS tickets_request_fts_ai AFTER INSERT ON tickets_servicerequest BEGIN "
        "INSERT INTO tickets_request_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END"
    ),
    "tickets_request_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS tickets_request_fts_ad AFTER DELETE ON tickets_servicerequest BEGIN "
        "INSERT INTO tickets_request_fts(tickets_request_fts, rowid, search_tokens) "
        "VALUES ('delete', old.id, old.search_tokens); END"
    ),
    "tickets_request_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS tickets_request_fts_au AFTER UPDATE OF search_tokens ON tickets_servicerequest "
        "BEGIN INSERT INTO tickets_request_fts(tickets_request_fts, rowid, search_tokens) "
        "VALUES ('delete', old.id, old.search_tokens); "
        "INSERT INTO tickets_request_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens); END"
    ),
}
SQLITE_MATCH = "SELECT rowid FROM tickets_request_fts WHERE tickets_request_fts MATCH %s"


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # the prefix dictionary: ~1 s the first time a process searches or files
    return jieba


def words(text: str, *, for_index: bool = False) -> list[str]:
    """The words of a text, lower-cased, punctuation dropped, each once, in order."""
    jieba = _jieba()
    cut = jieba.cut_for_search(text, HMM=False) if for_index else jieba.cut(text, HMM=False)
    seen: dict[str, None] = {}
    for piece in cut:
        for word in WORD.findall(piece.lower()):
            seen.setdefault(word, None)
    return list(seen)


def index_text(title: str, description: str) -> str:
    return " ".join(words(f"{title}\n{description}", for_index=True))


def keep_tokens(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """pre_save of ServiceRequest: the words of the title, the description and the public comments, when the
    title or description is being written."""
    if update_fields is None or {"title", "description"} & set(update_fields):
        text = index_text(instance.title or "", instance.description or "")
        if instance.pk is not None:
            bodies = instance.comments.filter(internal=False).values_list("body", flat=True)
            text = _merged(text, *(index_text("", body) for body in bodies))
        instance.search_tokens = text


def comment_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of Comment: a public comment's words join its request's (an internal note's do not: a requester's
    search must not find what only staff may read). The comment's service holds the request's row lock."""
    if not created or instance.internal:
        return
    requests = sender._meta.get_field("request").related_model._default_manager.filter(pk=instance.request_id)
    current = requests.values_list("search_tokens", flat=True).first() or ""
    merged = _merged(current, index_text("", instance.body))
    if merged != current:
        requests.update(search_tokens=merged)


def _merged(*texts: str) -> str:
    return " ".join(dict.fromkeys(word for text in texts for word in text.split()))


def tokens_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """post_save of ServiceRequest: a save of only some fields (``update_fields``) that named the title or the
    description but not the words writes the words too (pre_save cannot add a field to the save)."""
    if (
        update_fields is not None
        and {"title", "description"} & set(update_fields)
        and "search_tokens" not in set(update_fields)
    ):
        sender._default_manager.filter(pk=instance.pk).update(search_tokens=instance.search_tokens)


class _VectorMatches(Expression):
    """``id = ANY(ARRAY(<ids whose search_vector matches>))`` on the query's own alias: the ids come from the GIN
    index once, before the list's order is walked. As a plain row test (or an IN subquery) the planner, which
    cannot tell a rare word from a common one, walked the list's date index and tested every row: 2–3 s for a word
    in 200 of 1M requests; this way 1 ms."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str]]:
        table = compiler.quote_name(compiler.query.get_initial_alias())
        found = "SELECT id FROM tickets_servicerequest WHERE search_vector @@ plainto_tsquery('simple', %s)"
        return f"{table}.id = ANY(ARRAY({found}))", (self.words,)


def number_of(value: str) -> int | None:
    from tickets.api.fields import as_id  # ASCII digits within 64 bits ("²" passes str.isdigit())

    return as_id(value.strip().upper().removeprefix("SD").lstrip("0"))


def text_q(value: str, *, vendor: str | None = None) -> Q:
    """The requests a search box's text finds (see the module's docstring)."""
    value = value.strip()
    vendor = vendor or default_connection.vendor
    terms = [w for w in words(value) if len(w) > 1 or w.isdigit()] if value else []
    if terms and vendor == "postgresql":
        q = Q(_VectorMatches(" ".join(terms)))
    elif terms and vendor == "sqlite":
        match = " ".join(f'"{t}"' for t in terms)
        q = Q(pk__in=RawSQL(SQLITE_MATCH, [match]))  # noqa: S611 (fixed SQL, the words as a parameter)
    else:
        q = Q(title__icontains=value) | Q(description__icontains=value)
    number = number_of(value)
    if number is not None:
        q |= Q(pk=number)
    return q


def ensure_sqlite_index(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: SQLite's FTS triggers exist (a table rebuilt by a migration loses them); rebuild the index if
    any was missing, so rows written without it are found again."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
        if FTS_TABLE not in tables or "tickets_servicerequest" not in tables:
            return
        missing = [name for name in _SQLITE_TRIGGERS if name not in tables]
        for name in missing:
            cursor.execute(_SQLITE_TRIGGERS[name])
        if missing:
            cursor.execute("INSERT INTO tickets_request_fts(tickets_request_fts) VALUES ('rebuild')")
