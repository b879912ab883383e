"""The command line contract: options, exit codes, formats, the README's rule table."""

import json
import re

import pytest

from typer.testing import CliRunner

from conftest import ROOT
from tlslint import __version__
from tlslint.app import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_rules_json_lists_the_catalogue():
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    assert {"TLS001", "TLS101", "TLS206", "TLS702"} <= set(codes)
    assert all(set(r) >= {"code", "name", "severity", "dialects", "fixable"} for r in rows)


def test_explain_by_code_and_name():
    by_code = invoke("explain", "TLS001")
    by_name = invoke("explain", "parse-error")
    assert by_code.exit_code == 0 and by_code.stdout == by_name.stdout
    assert "What it checks" in by_code.stdout


def test_every_rule_has_the_four_doc_sections():
    from tlslint import rules

    for module in rules.load_all():
        doc = module.__doc__ or ""
        for section in ("What it checks", "Why it matters", "Example", "Fix safety"):
            assert section in doc, (module.RULE.code, section)
        assert doc.startswith(f"{module.RULE.code} {module.RULE.name}"), module.RULE.code


def test_unknown_rule_is_usage_error():
    assert invoke("explain", "TLS999").exit_code == 2
    assert invoke("check", "--select", "TLS999", str(ROOT / "tests")).exit_code == 2


def test_bad_option_values_exit_2(tmp_path):
    assert invoke("check", "--now", "yesterday", str(tmp_path)).exit_code == 2
    assert invoke("check", "--path-map", "nonsense", str(tmp_path)).exit_code == 2
    assert invoke("check", "--trust", str(tmp_path / "missing.pem"), str(tmp_path)).exit_code == 2
    assert invoke("check", str(tmp_path / "missing")).exit_code == 2


def test_empty_directory_is_clean(tmp_path):
    result = invoke("check", "--format", "json", str(tmp_path))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["version"] == 1 and out["findings"] == []
    assert out["summary"] == {"files": 0, "endpoints": 0, "errors": 0, "warnings": 0, "info": 0, "fixable": 0}


def test_readme_rule_table_is_generated_from_the_code():
    from tlslint import rules
    from tlslint.app import rules_markdown

    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S).group(1)
    assert table == rules_markdown([m.RULE for m in rules.load_all()]), \
        "README rule table is stale: run python tools/update_readme_rules.py"


def test_all_catalogue_modules_exist():
    from tlslint import rules

    assert len(rules.load_all()) == len(rules.RULE_MODULES)


def test_whole_corpus_never_exits_2_and_every_nginx_file_is_read():
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    result = invoke("check", "--format", "json", str(CORPUS))
    assert result.exit_code == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert not [f for f in findings if f["code"] == "TLS003" and "/nginx/" in f["path"]]


def test_each_rule_module_is_named_after_its_code_and_name():
    from tlslint import rules

    for module in rules.load_all():
        rule = module.RULE
        expected = f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
        assert module.__name__.rsplit(".", 1)[-1] == expected
