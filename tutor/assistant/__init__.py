"""The assistant — the automated TA (DESIGN.md, data flow 2): retrieval over the course, the tutor's rules (prompt +
leak guard), model backends, limits, and the TA websocket (`consumers`). Threads, messages and escalations are
``tutor.conversations``'; the assistant writes them only through ``tutor.conversations.api``.

Files, one idea each: `text` (tokenizing, stemming, HTML→text), `chunks` (course → retrieval chunks with links),
`lexical` (BM25), `embeddings` (all-MiniLM-L6-v2 sentence vectors), `pgsearch` (PostgreSQL full-text ranking),
`index` (per-course index cache + hybrid search), `access` (what a student may see), `secrets` (what must not leak),
`guard` (the streaming leak guard), `prompt` (system prompt with the rules), `retrieval_only` (the no-model answer),
`backends` (TA_BACKEND_URL / TA_MODEL_PATH → `inference.client`), `limits`, `moderation`, `intent`, `turn` (one
question → one streamed answer), `tasks` (re-indexing), `api` (what other domains may use). Protocol: docs/ta.md.
"""
