"""One page of a long list whose total is counted only up to a cap.

Counting 250,000 cases on every page view costs more than the page itself; beyond
`cap` rows the lists say "mehr als …" and offer the pages up to the cap (the filters narrow
the rest). The page object speaks the part of Django's `Page` API the templates use, so
`templates/includes/pager.html` renders either.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

PER_PAGE = 50
COUNT_CAP = 1000


def page_number(raw, *, last: int | None = None) -> int:
    """The requested page, 1 for anything that is not a positive number, at most `last`."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    number = max(number, 1)
    return min(number, last) if last else number


@dataclass
class CappedPaginator:
    count: int  # rows, counted up to the cap (+1: more than the cap)
    per_page: int = PER_PAGE
    cap: int = COUNT_CAP

    @property
    def more(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.shown_count // self.per_page))


@dataclass
class ListPage:
    paginator: CappedPaginator
    number: int
    object_list: list = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.paginator.per_page

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return self.offset + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.offset + len(self.object_list)


def capped_page(count: int, raw_number, *, per_page: int = PER_PAGE, cap: int = COUNT_CAP):
    paginator = CappedPaginator(count=count, per_page=per_page, cap=cap)
    return ListPage(paginator, page_number(raw_number, last=paginator.num_pages))


def page_query(params: dict, page_key: str, number: int) -> str:
    """The list's URL query for another page: every filter kept, empty ones left out."""
    return urlencode({**{k: v for k, v in params.items() if v}, page_key: number})


def pager(page: ListPage, params: dict, page_key: str = "page") -> dict:
    """What templates/includes/pager.html shows: the links keep every filter of the list."""

    def url(number: int) -> str:
        return "?" + page_query(params, page_key, number)

    return {
        "page": page,
        "first_url": url(1) if page.number > 2 else "",
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "last_url": url(page.paginator.num_pages)
        if page.number < page.paginator.num_pages - 1
        else "",
    }
