"""The marketplaces a simulated seller can sell in: id, region, currency, local day, report dates.

The simulator imports nothing of the product, so it keeps its own short table (the product's is
integrations.amazon.marketplaces, from python-amazon-sp-api). A seller's days are its
marketplace's local days (a US seller's day runs midnight to midnight Pacific, a UK seller's
London time, with the 23- and 25-hour days when the clocks change): orders of day d are bought
between its local midnights, and every report writes dates the way that marketplace's reports do.
Prices are the catalogue's dollars times `price_factor`, in the marketplace's currency (whole
yen in Japan). The region picks the path prefix the seller's SP-API and LWA calls must use
(`/eu/orders/v0/orders`, `/eu/auth/o2/token`): a seller called through another region's prefix
is refused, as Amazon refuses a UK account on the North American host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

REGIONS = ("na", "eu", "fe")


@dataclass(frozen=True)
class Market:
    """One marketplace as the simulator serves it."""

    code: str
    marketplace_id: str
    region: str  # na, eu or fe: the path prefix of its SP-API and LWA calls
    currency: str
    time_zone: str
    day_format: str  # strftime of a report's day
    month_format: str  # strftime of a report's month
    sales_channel: str
    country: str  # ISO country of its addresses and report rows
    fc: str  # a fulfillment center of the marketplace
    price_factor: float  # local currency per catalogue dollar
    minor_units: int = 2  # decimals of the currency (JPY: none)

    @property
    def zone(self) -> ZoneInfo:
        """The zone of the marketplace's days."""
        return _zone(self.time_zone)

    def day_start(self, ordinal: int) -> int:
        """Unix seconds of local midnight starting the day (a date ordinal)."""
        local = datetime.combine(date.fromordinal(ordinal), time(), self.zone)
        return int(local.timestamp())

    def ordinal_of(self, ts: int | float) -> int:
        """The local day (date ordinal) of a Unix time."""
        return datetime.fromtimestamp(int(ts), tz=UTC).astimezone(self.zone).date().toordinal()

    def day(self, ordinal: int) -> str:
        """A day as this marketplace's reports write it."""
        return date.fromordinal(ordinal).strftime(self.day_format)

    def price(self, value: float) -> float:
        """A list price as sellers set it: 24.99, or 2,990 yen."""
        if self.minor_units == 0:
            return float(max(10.0, round(value, -1)))
        return float(int(value) + 0.99)

    def cents(self, cents: float) -> float:
        """Cents rounded to what the currency can pay (whole yen: multiples of 100)."""
        step = 10 ** (2 - self.minor_units)
        return float(round(cents / step) * step)

    def amount(self, cents: float) -> str:
        """An amount in cents as the API writes it: 12.34, or 1980 for yen."""
        return f"{cents / 100:.{self.minor_units}f}"


MARKETS = {
    m.code: m
    for m in (
        Market("US", "ATVPDKIKX0DER", "na", "USD", "America/Los_Angeles", "%m/%d/%Y", "%m/%Y",
               "Amazon.com", "US", "PHX7", 1.0),
        Market("CA", "A2EUQ1WTGCTBG2", "na", "CAD", "America/Los_Angeles", "%m/%d/%Y", "%m/%Y",
               "Amazon.ca", "CA", "YYZ4", 1.35),
        Market("UK", "A1F83G8C2ARO7P", "eu", "GBP", "Europe/London", "%d/%m/%Y", "%m/%Y",
               "Amazon.co.uk", "GB", "LTN4", 0.8),
        Market("DE", "A1PA6795UKMFR9", "eu", "EUR", "Europe/Berlin", "%d.%m.%Y", "%m.%Y",
               "Amazon.de", "DE", "FRA7", 0.92),
        Market("JP", "A1VC38T7YXB528", "fe", "JPY", "Asia/Tokyo", "%Y/%m/%d", "%Y/%m",
               "Amazon.co.jp", "JP", "NRT5", 150.0, minor_units=0),
    )
}  # fmt: skip
DEFAULT = "US"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def market(code: str) -> Market:
    """The marketplace of a code (UK or GB, any case); ValueError naming the choices."""
    key = code.strip().upper()
    key = "UK" if key == "GB" else key
    if key not in MARKETS:
        raise ValueError(f"unknown marketplace {code!r}: one of {', '.join(MARKETS)}")
    return MARKETS[key]
