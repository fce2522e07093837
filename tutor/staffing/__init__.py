"""Staffing — the people around the assistant (DESIGN.md, data flows 3 and 4; docs/staff.md): the TAs' queue pages and
API, a student's sharing of a thread, anonymized copies, the author inbox and the stuck-map. Escalation state moves,
endorsements and notifications are ``tutor.conversations``' (through its ``api``); staffing drives them.

Files, one idea each: `permissions` (who is TA / faculty of a course), `selectors` (queue and escalation reads),
`services` (preview, share, unshare of a student's thread), `anonymize` (PII removal for shared copies), `inbox` (the
author inbox), `stuckmap` (per-step difficulty signals and their SVG chart), `views` / `rest` / `consumers` (edges).
"""
