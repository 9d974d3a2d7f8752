"""What a stream needs while it runs: session, seller, API client, run record, progress."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import localtime
from app.models import SellerAccount, SyncRun
from integrations.amazon.client import SpApiClient

log = logging.getLogger(__name__)
DEFAULT_BACKFILL_DAYS = 730
# Amazon refuses LastUpdatedBefore/PostedBefore later than two minutes before its now.
SERVER_LAG = dt.timedelta(minutes=2)


@dataclass
class SyncContext:
    """One stream run for one seller."""

    session: Session
    account: SellerAccount
    client: SpApiClient
    run: SyncRun
    backfill_days: int = DEFAULT_BACKFILL_DAYS
    on_progress: Callable[[float, str], None] | None = None
    # Test hook: called with the stream name before each page commit (to simulate a crash).
    before_commit: Callable[[str], None] | None = None
    # Reports requested ahead in a backfill (None: createReport's burst; 1: one at a time).
    reports_ahead: int | None = None
    # Queues the download of a report for another account (id, report id, type): a report of
    # a sibling marketplace that reached this account's webhook (app.tasks.enqueue_report).
    hand_off: Callable[[int, str, str | None], object] | None = None
    rows: int = field(default=0)

    @property
    def tenant_id(self) -> int:
        """The seller's tenant."""
        return self.account.tenant_id

    @property
    def seller_id(self) -> int:
        """The seller account id."""
        return self.account.id

    def owner(self) -> dict[str, int]:
        """The tenant and seller columns every row carries."""
        return {"tenant_id": self.account.tenant_id, "seller_account_id": self.account.id}

    def server_cutoff(self) -> dt.datetime:
        """The latest instant the server lets us ask about: its now minus two minutes."""
        return self.client.server_cutoff()

    def last_complete_day(self) -> dt.date:
        """The marketplace's last whole local day by the server's clock (its today is still
        running): days are the marketplace's (app.localtime)."""
        now = self.server_cutoff() + SERVER_LAG
        return localtime.local_date(now, self.account.time_zone) - dt.timedelta(days=1)

    def day_start(self, day: dt.date) -> dt.datetime:
        """The UTC instant the marketplace's local day `day` begins."""
        return localtime.day_start(day, self.account.time_zone)

    def commit_page(self, stream: str, rows: int) -> None:
        """Count a page and commit it together with the cursor the caller advanced."""
        if self.before_commit is not None:
            self.before_commit(stream)
        self.run.pages += 1
        self.run.rows_written += rows
        self.run.api_calls = self.client.total_calls
        self.rows += rows
        self.session.commit()

    def progress(self, fraction: float, message: str) -> None:
        """Report progress (to the job record and/or a progress bar)."""
        log.info("%s: %s", self.run.stream, message)
        if self.on_progress is not None:
            self.on_progress(max(0.0, min(1.0, fraction)), message)
