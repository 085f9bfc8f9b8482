"""What the browser tests share besides their fixtures (``test_browser``): a page that counts what
a person does on it, and the check that a page fits the screen's width."""

from __future__ import annotations


class Counted:
    """The page, counting what a person does: clicks (a choice in a list is a click too), and
    fields typed."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page, self.clicks, self.typed = page, 0, 0

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.clicks += 1

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.typed += 1

    def since(self, clicks: int, typed: int) -> tuple[int, int]:
        """The (clicks, fields typed) since the counts were (``clicks``, ``typed``)."""
        return self.clicks - clicks, self.typed - typed


def fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    """Nothing on the page is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
