"""Write a tiny random-init chat model (inference.testing.tiny) to DIR unless one is there: the Procfile's inference worker
serves it so the production topology runs offline. Usage: python scripts/tiny_model.py DIR"""

from __future__ import annotations

import sys
from pathlib import Path

from inference.testing.tiny import make_tiny_model

if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/tiny-model")
    if not (target / "config.json").exists():
        make_tiny_model(target)
    print(target)
