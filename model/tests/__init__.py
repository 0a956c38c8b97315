"""The model handler's tests. `inference` is imported as the toolkit imports it: a top-level
module from the handler's code/ directory."""

import sys
from pathlib import Path

CODE = str(Path(__file__).resolve().parents[1] / "code")
if CODE not in sys.path:
    sys.path.insert(0, CODE)
