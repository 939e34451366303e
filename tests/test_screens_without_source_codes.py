"""Staff screens name no source-document codes ("CB 4", "RL 1.3") and no raw windows
("15AT"): a caseworker in another Jobcenter cannot read them. The rules and their
sources are in docs/rules.de.md and docs/rules.en.md."""

import re
from pathlib import Path

import pytest

from minimumstandards.templatetags.minimumstandards_tags import window_words

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b(?:CB|RL|DW|WU|HF) ?\d|\bHF Anlage|\(\d+ ?(?:AT|KT)\b")


def _templates():
    return sorted((ROOT / "templates").rglob("*.html"))


def test_no_template_shows_a_source_code():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for path in _templates()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CODE.search(line)
    ]
    assert found == []


def test_no_template_shows_a_rule_source():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _templates()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in re.finditer(r"\{\{[^}]*\}\}", line)
        if re.search(r"\b(?:rule|t|concern|c)\.source\b", m.group(0))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("window", "words"),
    [
        ("15AT", "15 Arbeitstage"),
        ("1AT", "1 Arbeitstag"),
        ("24KT", "24 Kalendertage"),
        ("24h", "24 Stunden"),
        ("kaputt", "kaputt"),
    ],
)
def test_window_in_words(window, words):
    assert window_words(window) == words


def test_every_cited_rule_has_a_heading_in_both_languages():
    cited = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        cited |= set(re.findall(r"\bR-[A-Z]{2}-\d{2}\b", path.read_text(encoding="utf-8")))
    for name in ("rules.de.md", "rules.en.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        anchors = set(re.findall(r'<a id="(r-[a-z]{2}-\d{2})"></a>\n## R-', text))
        missing = {c for c in cited if c.lower() not in anchors}
        assert not missing, f"{name}: {sorted(missing)}"
