"""Course tuning of the assistant: the SFT set built from a course (`dataset`), the tuning run that trains, saves and
registers a LoRA adapter (`services`), and the before/after evaluation on held-out student questions (`evaluate`)."""
