"""PostgreSQL full-text ranking of chunks (``to_tsvector('english')`` + ``ts_rank_cd``, cover density; Clarke et
al. 2000). The question's words are OR-ed (a question rarely has all its words in one passage). PostgreSQL only."""

from __future__ import annotations

import numpy as np
from django.db import connection

from tutor.assistant.text import STOPWORDS, words

_SQL = """
SELECT u.i - 1, ts_rank_cd(to_tsvector('english', u.t), q, 1)
FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i), to_tsquery('english', %s) AS q
WHERE to_tsvector('english', u.t) @@ q
"""


def available() -> bool:
    return connection.vendor == "postgresql"


def scores(documents: list[str], query: str) -> np.ndarray:
    """ts_rank_cd of every document (0 where nothing matches); shape (len(documents),)."""
    out = np.zeros(len(documents))
    ws = sorted({w for w in words(query) if w not in STOPWORDS})
    if not ws or not documents:
        return out
    with connection.cursor() as cur:
        cur.execute(_SQL, [documents, " | ".join(ws)])
        for i, rank in cur.fetchall():
            out[int(i)] = float(rank)
    return out
