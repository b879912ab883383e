import sys
from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# tests/pkifactory.py and tests/modelkit.py are shared helpers, imported by name.
sys.path.insert(0, str(TESTS))
