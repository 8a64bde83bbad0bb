"""Pages of lists that grow to millions of rows, such as an agency's incoming register.

Django's Paginator counts every row of the list on each page view: a COUNT over a million documents
that no index answers once visibility rules apply. CappedPaginator counts at most `count_limit`
rows (a COUNT over a LIMITed subquery, which walks the list's own index and stops), and beyond them
goes on page by page, up to `max_pages`, knowing whether a next page exists by fetching one row
more than a page. The pager then says "page 23 of more than 20"; older rows are found with the
filters, the search or the register book."""

from __future__ import annotations

import math

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count_limit: int = 1000, max_pages: int = 200):
        super().__init__(object_list, per_page)
        self.count_limit, self.max_pages = count_limit, max_pages

    @cached_property
    def count(self) -> int:
        """The rows, or count_limit + 1 when there are more."""
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @property
    def count_capped(self) -> bool:
        return self.count > self.count_limit

    @property
    def counted_pages(self) -> int:
        """Pages known to be full: what "more than" refers to when the count is capped."""
        return math.ceil(self.count_limit / self.per_page)

    @cached_property
    def num_pages(self) -> int:
        return self.max_pages if self.count_capped else super().num_pages

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return _CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:  # past the end: the last page there is, or the last one counted
            return self.page(self.counted_pages if self.count_capped else max(1, super().num_pages))


class _CappedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more and self.number < self.paginator.num_pages
