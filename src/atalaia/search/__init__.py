"""Full-text search over the archive: SQLite FTS5 or PostgreSQL, behind one interface.

`search` answers a query typed by a person (see `_query` for the language) with one page of
hits, audited. The archive keeps the index in step through `index_messages` and
`reindex_messages`; governance removes texts with `remove_from_index` and asks which messages
a legal hold's query finds with `matching_ids`; bulk loads may call `rebuild_index`. Everything
else is private to this package. Why it is built this way: docs/decisions/0006-search.md.

Import order matters: `_index` (which the archive imports from here) is bound before
`_service`, whose audit import loads the archive.
"""

from atalaia.search._filters import SearchFilters, parse_date_bound, resolve_contact, resolve_line
from atalaia.search._index import (
    index_messages,
    matching_ids,
    rebuild_index,
    reindex_messages,
    remove_from_index,
)
from atalaia.search._query import ParsedQuery, SearchQueryError, parse_query
from atalaia.search._service import SearchHit, SearchResults, search

__all__ = [
    "ParsedQuery",
    "SearchFilters",
    "SearchHit",
    "SearchQueryError",
    "SearchResults",
    "index_messages",
    "matching_ids",
    "parse_date_bound",
    "parse_query",
    "rebuild_index",
    "reindex_messages",
    "remove_from_index",
    "resolve_contact",
    "resolve_line",
    "search",
]
