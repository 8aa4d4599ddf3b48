"""What every page of a list answers for the pagination macro (templates/macros/ui.html), beside
its own `page` and `has_next`: the neighbours' numbers."""


class PageLinks:
    page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
