"""Pagers over Partner Center collections that follow continuation tokens.

A collection page carries `links.next`: a URI (relative to `/v1`) and the headers to send
with it, `MS-ContinuationToken` among them. A pager asks for nothing until it is iterated,
then fetches one page at a time; each page is a call of its own (own `MS-RequestId`, own
retries).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class NextLink:
    """Where the next page is: `links.next` of the previous page."""

    uri: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a collection. `continuation_token` resumes after it (None: last page)."""

    items: list[T]
    continuation_token: str | None = None
    next_link: NextLink | None = field(default=None, repr=False)


class Pager(Generic[T]):
    """Iterate the items of every page (`for customer in pager`), or the pages
    themselves with `by_page()`."""

    def __init__(
        self,
        fetch: Callable[[NextLink | None], Page[T]],
        resume: Callable[[str], NextLink],
    ) -> None:
        self._fetch = fetch
        self._resume = resume

    def __iter__(self) -> Iterator[T]:
        for page in self.by_page():
            yield from page.items

    def by_page(self, continuation_token: str | None = None) -> Iterator[Page[T]]:
        """Pages from the first, or from the one after `continuation_token`."""
        link = None if continuation_token is None else self._resume(continuation_token)
        while True:
            page = self._fetch(link)
            yield page
            if page.next_link is None:
                return
            link = page.next_link


class AsyncPager(Generic[T]):
    """Iterate the items of every page (`async for customer in pager`), or the pages
    themselves with `by_page()`."""

    def __init__(
        self,
        fetch: Callable[[NextLink | None], Awaitable[Page[T]]],
        resume: Callable[[str], NextLink],
    ) -> None:
        self._fetch = fetch
        self._resume = resume

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.by_page():
            for item in page.items:
                yield item

    async def by_page(self, continuation_token: str | None = None) -> AsyncIterator[Page[T]]:
        """Pages from the first, or from the one after `continuation_token`."""
        link = None if continuation_token is None else self._resume(continuation_token)
        while True:
            page = await self._fetch(link)
            yield page
            if page.next_link is None:
                return
            link = page.next_link
