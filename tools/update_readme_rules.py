"""Regenerate the rule table in README.md from the rule modules."""

import re
from pathlib import Path

from tlslint import rules
from tlslint.app import rules_markdown

readme = Path(__file__).resolve().parent.parent / "README.md"
table = rules_markdown([m.RULE for m in rules.load_all()])
text = re.sub(r"<!-- rules:start -->\n.*?<!-- rules:end -->",
              lambda _: f"<!-- rules:start -->\n{table}<!-- rules:end -->",
              readme.read_text(), flags=re.S)
readme.write_text(text)
