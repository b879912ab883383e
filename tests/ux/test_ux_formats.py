"""Output formats: SARIF 2.1.0 (validated against the official schema),
GitHub workflow commands, --statistics, and the progress indicator."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tlslint.engine import RunResult
from tlslint.findings import Finding, Related, Severity
from tlslint.github import escape_data, escape_property
from tlslint.model import Location
from tlslint.report import Progress
from tlslint.source import Source, Span
from uxkit import fake_dialects, run  # noqa: F401  (fixture)

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def validate(log: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch, fake_dialects):
    """A git repository with a config that yields findings with related files
    inside and outside the repository; the current directory is a subfolder."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root / "deploy" / "site.conf", "ssl on;\nssl_certificate certs/site.pem;\nssl_certificate /etc/none/x.pem;\n")
    write(root / "deploy" / "certs" / "site.pem", "junk\n")
    monkeypatch.chdir(root / "deploy")
    return root


def sarif(*args) -> dict:
    code, out, err = run("check", "--format", "sarif", *args)
    assert code in (0, 1), err
    return json.loads(out)


# -- SARIF -------------------------------------------------------------------------

def test_sarif_validates_against_the_schema(repo):
    log = sarif(".")
    validate(log)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert log["runs"][0]["results"], "the fixture must produce findings"


def test_sarif_of_an_empty_run_validates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = sarif(".")
    validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_driver_lists_every_rule(repo):
    from tlslint import rules

    driver = sarif(".")["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tlslint"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [m.RULE.code for m in rules.load_all()]
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["fullDescription"]["text"].startswith(f"{rule['id']} {rule['name']}")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_sarif_results_are_repository_relative(repo):
    run_ = sarif(".")["runs"][0]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r
               for r in run_["results"]}
    assert set(results) >= {("TLS702", 1), ("TLS004", 2), ("TLS002", 3)}
    for result in run_["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "deploy/site.conf", "uriBaseId": "%SRCROOT%"}
        assert set(loc["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert result["level"] in ("error", "warning", "note")
        assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    tls702 = results[("TLS702", 1)]["locations"][0]["physicalLocation"]["region"]
    assert (tls702["startColumn"], tls702["endColumn"]) == (5, 7)  # "on", end exclusive
    # the certificate file is a related location; a file outside the repository is only named
    related = results[("TLS004", 2)]["relatedLocations"]
    assert {r["physicalLocation"]["artifactLocation"]["uri"] for r in related} == {"deploy/certs/site.pem"}
    outside = results[("TLS002", 3)]["relatedLocations"]
    assert outside and all("physicalLocation" not in r for r in outside)
    assert all(not r["physicalLocation"]["artifactLocation"]["uri"].startswith(("/", "file:", ".."))
               for res in run_["results"] for r in res.get("relatedLocations", []) if "physicalLocation" in r)


def test_sarif_fingerprints_survive_moved_lines(repo):
    def prints():
        return {(r["ruleId"], r["partialFingerprints"]["tlslint/v1"]): r["locations"][0]["physicalLocation"]
                ["region"]["startLine"] for r in sarif(".")["runs"][0]["results"]}

    before = prints()
    conf = repo / "deploy" / "site.conf"
    conf.write_text("# a new comment\n\n" + conf.read_text())
    after = prints()
    assert set(before) == set(after)
    assert all(after[k] == before[k] + 2 for k in before)
    assert len({fp for _, fp in before}) == len(before)  # distinct results, distinct fingerprints


def test_sarif_for_a_config_outside_the_repository(tmp_path, monkeypatch, fake_dialects):
    inside = tmp_path / "repo"
    inside.mkdir()
    subprocess.run(["git", "init", "-q", str(inside)], check=True)
    write(tmp_path / "elsewhere" / "a.conf", "ssl on;\n")
    monkeypatch.chdir(inside)
    log = sarif("--select", "TLS702", str(tmp_path / "elsewhere"))
    validate(log)
    (result,) = log["runs"][0]["results"]
    assert "locations" not in result and "a.conf:1:5" in result["message"]["text"]


def test_sarif_writer_on_built_findings(tmp_path, monkeypatch):
    from tlslint.sarif import sarif_log

    monkeypatch.chdir(tmp_path)
    source = Source(tmp_path / "dir with space" / "x.yml", "a: 1\nb: %\n")
    finding = Finding("TLS202", "client-cert-optional", Severity.INFO, "msg 100% sure, line 2",
                      Location(source, Span(8, 9)), "dir with space/x.yml", endpoint="tls_server_config",
                      related=[Related("ca.pem", "CA 1 of 2", line=3, column=1), Related("/abs/x.pem", "gone")])
    result = RunResult(findings=[finding, finding], internal_errors=["boom"])
    log = sarif_log(result)
    validate(log)
    run_ = log["runs"][0]
    first, second = run_["results"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/x.yml"
    assert first["level"] == "note"
    assert first["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1}
    assert first["partialFingerprints"] != second["partialFingerprints"]
    assert run_["invocations"][0]["executionSuccessful"] is False


# -- GitHub annotations --------------------------------------------------------------

def test_github_escaping():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    assert escape_data("a:b,c") == "a:b,c"


def test_github_annotations(repo):
    code, out, err = run("check", "--format", "github", ".")
    assert code == 1, err
    lines = out.splitlines()
    annotations = [ANNOTATION.match(line) for line in lines if line.startswith("::")]
    assert annotations and all(annotations)
    parsed = []
    for match in annotations:
        props = dict(p.split("=", 1) for p in match.group("props").split(","))
        parsed.append((match.group(1), props["title"].split()[0], props["file"], int(props["line"])))
        assert {"file", "line", "col", "endLine", "endColumn", "title"} <= set(props)
        assert "\n" not in match.group("message")
    assert ("warning", "TLS702", "deploy/site.conf", 1) in parsed
    assert ("error", "TLS004", "deploy/site.conf", 2) in parsed
    assert not lines[-1].startswith("::")  # a plain summary after the annotations


def test_github_levels_and_escaping_in_output(tmp_path, monkeypatch):
    from tlslint.github import write_github

    monkeypatch.chdir(tmp_path)
    source = Source(tmp_path / "we,ird:name.conf", "x\n")
    findings = [Finding("TLS001", "parse-error", sev, "50% broken\nreally", Location(source, Span(0, 1)),
                        "we,ird:name.conf") for sev in Severity]
    out = io.StringIO()
    write_github(RunResult(findings=findings), out)
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:3]] == ["::error", "::warning", "::notice"]
    assert "file=we%2Cird%3Aname.conf," in lines[0]
    assert lines[0].endswith("::50%25 broken%0Areally")


# -- --statistics ----------------------------------------------------------------------

def test_statistics_text(repo):
    code, out, _ = run("check", "--statistics", ".")
    lines = out.splitlines()
    stats = [line.split() for line in lines if re.match(r"^\s*\d+\s+TLS\d{3}\s", line)]
    assert sorted((row[1], int(row[0])) for row in stats) == [("TLS002", 1), ("TLS004", 1), ("TLS702", 1)]
    last_finding = max(i for i, line in enumerate(lines) if re.match(r"^\S+:\d+:\d+: TLS", line))
    first_stat = min(i for i, line in enumerate(lines) if re.match(r"^\s*\d+\s+TLS\d{3}\s", line))
    assert first_stat > last_finding


def test_statistics_json_and_sarif(repo):
    code, out, _ = run("check", "--statistics", "--format", "json", ".")
    doc = json.loads(out)
    assert {(r["code"], r["count"]) for r in doc["statistics"]} == {("TLS002", 1), ("TLS004", 1), ("TLS702", 1)}
    code, out, err = run("check", "--statistics", "--format", "sarif", ".")
    validate(json.loads(out))  # stdout stays pure SARIF; the table goes to stderr
    assert "TLS702" in err


# -- progress ---------------------------------------------------------------------------

def test_no_progress_when_stderr_is_not_a_terminal(repo):
    code, out, err = run("check", ".")
    assert err == ""


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_only_for_long_runs(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    ticks = iter([0.0, 0.2, 5.0, 5.05, 6.0])
    term = FakeTerminal()
    progress = Progress(term, delay=1.0, clock=lambda: next(ticks))
    progress("parsing", 1, 10)  # 0.2 s: too early
    assert term.getvalue() == ""
    progress("parsing", 5, 10)  # 5 s: shown
    progress("parsing", 6, 10)  # 50 ms later: throttled
    progress("checking", 1, 2)
    progress.close()
    text = term.getvalue()
    assert "parsing 5/10" in text and "parsing 6/10" not in text and "checking 1/2" in text
    assert text.endswith("\r\033[K")
    quiet = Progress(io.StringIO(), delay=0)
    quiet("parsing", 1, 1)
    quiet.close()
    assert quiet.stream.getvalue() == ""


def test_sarif_fingerprints_do_not_depend_on_the_current_directory(tmp_path, monkeypatch):
    """The messages name files relative to the current directory; the
    fingerprints must not, or every alert reopens when CI changes directory."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    write(repo / "deploy" / "nginx" / "nginx.conf",
          "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate certs/missing.pem;\n"
          "    ssl_certificate_key certs/missing.key;\n  }\n}\n")

    def fingerprints(cwd, target):
        monkeypatch.chdir(cwd)
        code, out, _ = run("check", "--format", "sarif", target)
        results = json.loads(out)["runs"][0]["results"]
        return sorted((r["ruleId"], r["partialFingerprints"]["tlslint/v1"]) for r in results)

    from_root = fingerprints(repo, "deploy")
    assert from_root and from_root == fingerprints(repo / "deploy", ".")
