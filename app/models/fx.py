"""Exchange rates a tenant enters, for the one converted total the overview may show.

Never fetched from anywhere and never applied silently: the overview totals each currency on
its own, and shows a converted total only beside the rates it used and the day they were
entered. `rate` is how many units of `base_currency` one unit of `currency` buys.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow


class ExchangeRate(TenantMixin, Base):
    """1 `currency` = `rate` `base_currency`, as the seller entered it on `entered_at`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("tenant_id", "base_currency", "currency"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    base_currency: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[float] = mapped_column(Numeric(18, 8, asdecimal=False))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
