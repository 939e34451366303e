"""The SVG charts (jobcenter.charts): axes, German numbers, text alternatives, no HTML
needed to test the figures."""

from datetime import date
from decimal import Decimal

from appointments.charts import weekly_consultations
from jobcenter.charts import Chart, Series, nice_ticks


def chart(**kw):
    base = {
        "key": "c",
        "title": "Titel",
        "kind": "bar",
        "categories": ["A", "B\nzwei"],
        "series": [Series("eins", [Decimal("1.5"), None]), Series("zwei", [3, 4])],
        "category_header": "Kat.",
        "unit": "Min.",
        "digits": 1,
    }
    return Chart(**(base | kw))


def test_ticks_are_round_numbers_covering_the_top():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(9) == [0, 2.5, 5, 7.5, 10]
    assert nice_ticks(100) == [0, 25, 50, 75, 100]
    assert nice_ticks(33) == [0, 10, 20, 30, 40]


def test_table_has_the_charts_values_in_german():
    c = chart()
    assert c.header == ["Kat.", "eins (Min.)", "zwei (Min.)"]
    assert c.rows == [["A", "1,5", "3,0"], ["B zwei", "–", "4,0"]]


def test_svg_is_an_image_named_by_its_caption_with_values_and_escaped_text():
    svg = str(chart(series=[Series("<b>&", [1, 2])]).svg())
    assert svg.startswith("<svg ")
    assert 'role="img" aria-labelledby="c-caption"' in svg
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg
    assert ">1,0</text>" in svg and ">2,0</text>" in svg  # values stand on the bars
    assert '<tspan x="' in svg  # the two-line category label


def test_a_line_breaks_where_a_value_is_missing():
    c = chart(kind="line", categories=["a", "b", "c"], series=[Series("s", [1, None, 2])])
    svg = str(c.svg())
    assert "<polyline" not in svg  # two single points, no line across the gap
    assert svg.count("<circle") == 1 + 2  # legend marker and the two points


def test_empty_chart():
    assert chart(series=[Series("s", [None, None])]).is_empty
    assert chart(categories=[], series=[Series("s", [])]).is_empty


class _Worker:
    pk = 1


def test_weekly_consultations_against_the_summed_target():
    weeks = [date(2026, 11, 23), date(2026, 11, 30)]
    table = [
        (
            _Worker(),
            [{"total": 20, "target": Decimal("25.0")}, {"total": 7, "target": Decimal("20.0")}],
        ),
        (
            _Worker(),
            [{"total": 5, "target": Decimal("12.5")}, {"total": 9, "target": Decimal("10.0")}],
        ),
    ]
    c = weekly_consultations(weeks, table, own=False)
    assert c.rows == [["KW 48 ab 23.11.", "25", "37,5"], ["KW 49 ab 30.11.", "16", "30"]]
    assert c.header == ["Woche", "erreicht (Beratungen)", "Ziel (Beratungen)"]
    assert 'stroke-dasharray="5 3"' in str(c.svg())  # the target line, dashed
