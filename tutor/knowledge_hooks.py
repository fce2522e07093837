"""Wiring between recorded attempts and the knowledge state (filled in by the tutor engine)."""


def on_attempt(*, user, problem, attempt) -> None:
    """Called inside the attempt's transaction; updates the student's knowledge state."""
