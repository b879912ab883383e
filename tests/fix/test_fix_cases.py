"""Fix cases: one YAML file per fixable rule and dialect, in tests/fix/cases/.

Each case gives the PKI to build, the files before the fix, and what must be
true after `tlslint fix`:

    rule: TLS101
    unsafe: false                 # run with --unsafe-fixes
    options: {trust: [certs/root.pem], intermediates: [...]}
    pki:                          # certificates, built at test time
      root: {ca: true}
      inter: {issuer: root, ca: true}
      leaf: {issuer: inter, cn: www.example.test}
    files:
      certs/site.pem: [leaf]      # a list: these certificates, PEM, in order
      certs/site.key: key leaf    # the private key of a certificate (also as a list item)
      nginx.conf: |               # text: written as is (\r\n kept)
        ...
    after:                        # files that must change, and how; every other file stays byte for byte
      nginx.conf: |
        ...
    new_files:
      certs/site.fullchain.pem: [leaf, inter]

The runner then checks that `check` no longer reports the rule and that a
second `fix` changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pkifactory import NOW, PkiFactory
from tlslint import engine, fixer
from tlslint.options import Options

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def build_pki(spec: dict, directory: Path) -> dict:
    factory = PkiFactory(directory / ".pki")
    made: dict = {}
    for name, item in (spec or {}).items():
        item = item or {}
        issuer = made.get(item.get("issuer"))
        kw = {}
        if item.get("key"):
            kw["key"] = item["key"]
        if item.get("ca"):
            made[name] = (factory.intermediate(issuer, item.get("cn", name), **kw) if issuer
                          else factory.root(item.get("cn", name), **kw))
        else:
            made[name] = factory.leaf(issuer, item.get("cn", "www.example.test"),
                                      sans=item.get("sans"), **kw)
    return made


def render(value, made: dict) -> bytes:
    """A list of certificate names (or ``key NAME``) → PEM; other text as is."""
    if isinstance(value, list):
        return b"".join(render(item, made) if item.startswith("key ") else made[item].pem for item in value)
    text = str(value)
    if text.startswith("key "):
        return made[text[4:]].key_pem()
    return text.encode()


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".pki" not in p.parts}


def options_for(case: dict, root: Path) -> Options:
    opts = case.get("options") or {}
    return Options(now=NOW, use_system_store=False,
                   trust=[root / p for p in opts.get("trust", [])],
                   intermediates=[root / p for p in opts.get("intermediates", [])])


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_fix_case(case_file, tmp_path):
    case = load(case_file)
    made = build_pki(case.get("pki"), tmp_path)
    for name, value in case["files"].items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(value, made))
    before = snapshot(tmp_path)
    options = options_for(case, tmp_path)
    unsafe = bool(case.get("unsafe"))
    rule = case["rule"]

    first = engine.check([tmp_path], options)
    assert rule in {f.code for f in first.findings}, "the case does not trigger its rule"
    if unsafe:
        # a safe run never applies an unsafe fix
        fixer.run([tmp_path], options, unsafe=False)
        assert rule in {f.code for f in engine.check([tmp_path], options).findings}
    diff_only = fixer.run([tmp_path], options, unsafe=unsafe, diff_only=True)
    assert snapshot(tmp_path) == before, "--diff wrote something"
    assert rule in {finding.code for finding, _ in diff_only.plan.fixes}

    outcome = fixer.run([tmp_path], options, unsafe=unsafe)
    after = snapshot(tmp_path)
    expected = dict(before)
    for name, value in (case.get("after") or {}).items():
        expected[name] = render(value, made)
    for name, value in (case.get("new_files") or {}).items():
        expected[name] = render(value, made)
    for name in sorted(set(expected) | set(after)):
        assert after.get(name) == expected.get(name), f"{name} differs after the fix"
    assert rule not in {f.code for f in outcome.after.findings}
    assert rule not in {f.code for f in engine.check([tmp_path], options).findings}

    again = fixer.run([tmp_path], options, unsafe=unsafe)
    assert not again.written and snapshot(tmp_path) == after, "a second fix changed something"
