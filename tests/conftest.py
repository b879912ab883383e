import sys
from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent



def _find_corpus() -> Path:
    """The shared real-world corpus, used in place: $TLSLINT_CORPUS, else
    ../shared/corpus beside the checkout, else /work/shared/corpus. Tests that
    need it are skipped when it is absent (a clone elsewhere)."""
    import os

    for candidate in (os.environ.get("TLSLINT_CORPUS"), ROOT.parent / "shared" / "corpus",
                      "/work/shared/corpus"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / "shared" / "corpus"


CORPUS = _find_corpus()
# tests/pkifactory.py and tests/modelkit.py are shared helpers, imported by name.
sys.path.insert(0, str(TESTS))
