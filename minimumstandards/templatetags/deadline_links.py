from django import template

register = template.Library()


@register.filter
def link(counts, state: str) -> str:
    """The list behind one count of a row: `{{ row|link:"ueberschritten" }}`."""
    return counts.link(state)


@register.filter
def at(sequence, index: int):
    """The item at `index` of a list (the forecast's per-day links)."""
    return sequence[index]
