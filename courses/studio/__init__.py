"""The faculty authoring studio: a validated per-course draft (package document), publish as versions, preview."""
