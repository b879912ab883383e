"""The lark grammars, shipped as tlslint.grammars."""

from pathlib import Path


def read_grammar(name: str) -> str:
    """The text of grammar file ``name`` (a plain file read: importlib.resources
    would cost a few milliseconds of imports on every run)."""
    return (Path(__file__).parent / name).read_text(encoding="utf-8")
