"""The project app has no tables of its own: course roles (``Membership``) live in ``courses.models``."""
