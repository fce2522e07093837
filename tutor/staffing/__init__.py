"""The people side of the TA loop (DESIGN.md, data flows 3 and 4; docs/staff.md).

Files, one idea each: `permissions` (who is TA / faculty of a course), `transitions` (the escalation state machine),
`services` (queue writes: claim, answer, resolve, reopen, endorse, correct; notifications), `sharing` (preview, share,
unshare of a student's thread), `anonymize` (PII removal for shared copies), `selectors` (queue and escalation reads),
`inbox` (the author inbox), `stuckmap` (per-step difficulty signals and their SVG chart).
"""
