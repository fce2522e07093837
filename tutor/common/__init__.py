"""What every tutor domain shares and no domain owns: sending events after commit (``events``)."""
