"""Practice — the learning loop (DESIGN.md, data flow 1): attempt → grade (`grading`) → hints → worked solution
(`services`, `selectors`), the next problem and placement (`adaptive`, over the pure model in ``tutor.knowledge``),
the learner-state store (`learner`, `learner_hooks`), fitting the course's model (`fitting`), the knowledge map
(`knowledge_map`), and the student pages and API (`views`, `rest`, `rest_adaptive`). `api` is what other domains use.
"""
