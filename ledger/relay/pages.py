"""Pages of records to publish, the next one read and encoded while this one is sent."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from ledger.relay.encoding import Record, encode
from ledger.relay.reading import NotificationReader


class Pages:
    """Records after a position, `size` at a time, with one page of read-ahead."""

    def __init__(self, reader: NotificationReader, size: int) -> None:
        self.reader = reader
        self.size = size
        self._ahead: tuple[int, Future[list[Record]]] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def after(self, position: int) -> list[Record]:
        """The next page; when full, the one after it is read meanwhile on a second thread."""
        page = self._take(position)
        if page is None:
            page = self._read(position)
        if len(page) == self.size:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="relay-read")
            last = page[-1][3]
            self._ahead = (last, self._pool.submit(self._read, last))
        return page

    def _take(self, position: int) -> list[Record] | None:
        if self._ahead is None:
            return None
        ahead, future = self._ahead
        self._ahead = None
        return future.result() if ahead == position else None

    def _read(self, position: int) -> list[Record]:
        return encode(self.reader.page(position, self.size))

    def forget(self) -> None:
        """After a failure the relay resumes elsewhere: drop the read-ahead."""
        self._ahead = None

    def close(self) -> None:
        self._ahead = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
