"""axe `landmark-unique`: no two landmarks of a page share role and name.

The pattern that broke it: a `<section aria-labelledby="h-x">` and the scrollable table
wrapper inside it (`role="region" aria-labelledby="h-x"`) both named by the same heading.
The wrapper keeps the name (it is the focus stop for scrolling the table); the section
around it is a plain section. This test reads the templates (with the partials they include
by name), so the pattern cannot come back unseen on a page no browser journey opens.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']([^%]*)%}""")
WITH_ID = re.compile(r"""\bid=["']([^"']+)["']""")
WITH_CHART = re.compile(r"\bchart=([\w.]+)")
LABELLED = re.compile(r"<(section|div|aside|nav|form)\b([^>]*)>")
LABEL = re.compile(r'aria-labelledby="([^"]+)"')
ROLE = re.compile(r'role="([^"]+)"')


def expanded(path: Path, seen: frozenset[Path] = frozenset()) -> str:
    text = path.read_text(encoding="utf-8")
    if path in seen:
        return text

    def include(match: re.Match) -> str:
        target = TEMPLATES / match.group(1)
        if not target.exists():
            return ""
        text = expanded(target, seen | {path})
        given = WITH_ID.search(match.group(2))  # {% include "…" with id="days" %}
        chart = WITH_CHART.search(match.group(2))  # {% include "…" with chart=charts.x %}
        if chart:  # a chart's ids start with its key, one per chart on the page
            text = text.replace("{{ chart.key }}", chart.group(1))
        return text.replace("{{ id }}", given.group(1)) if given else text

    return INCLUDE.sub(include, text)


def region_names(text: str) -> list[str]:
    """The heading ids that name a region landmark (a labelled section or role=region)."""
    names = []
    for tag, attrs in LABELLED.findall(text):
        label = LABEL.search(attrs)
        role = ROLE.search(attrs)
        is_region = (tag == "section" and role is None) or (role and role.group(1) == "region")
        if label and is_region:
            names.append(label.group(1))
    return names


PAGES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_two_regions_are_named_by_the_same_heading(path):
    names = region_names(expanded(path))
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{path.relative_to(TEMPLATES)}: regions share the name of {twice}"


def test_the_check_sees_the_pattern():
    page = (
        '<section aria-labelledby="h-a"><h2 id="h-a">A</h2>'
        '<div class="kern-table-responsive" role="region" aria-labelledby="h-a" tabindex="0">'
    )
    assert region_names(page) == ["h-a", "h-a"]
    assert region_names(page.replace('<section aria-labelledby="h-a">', "<section>")) == ["h-a"]
