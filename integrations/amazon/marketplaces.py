"""Amazon marketplaces: python-amazon-sp-api's own table, with what a seller's account needs.

`sp_api.base.Marketplaces` gives each marketplace its id, AWS region and SP-API endpoint. Beside
them: the Login with Amazon token URL of the region (NA `api.amazon.com`, EU `api.amazon.co.uk`,
FE `api.amazon.co.jp`), the currency prices are quoted in, and the time zone of the marketplace's
business day. Codes are Amazon's seller-facing ones: `UK` for the United Kingdom (sp_api names
it `GB`, which is accepted too).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sp_api.base import Marketplaces

# The LWA token host of each SP-API region (the region is sp_api's).
LWA_TOKEN_URLS = {
    "us-east-1": "https://api.amazon.com/auth/o2/token",
    "eu-west-1": "https://api.amazon.co.uk/auth/o2/token",
    "us-west-2": "https://api.amazon.co.jp/auth/o2/token",
}
REGION_NAMES = {"us-east-1": "North America", "eu-west-1": "Europe", "us-west-2": "Far East"}
# code: (currency, IANA time zone of the marketplace's day)
LOCAL = {
    "US": ("USD", "America/Los_Angeles"), "CA": ("CAD", "America/Los_Angeles"),
    "MX": ("MXN", "America/Mexico_City"), "BR": ("BRL", "America/Sao_Paulo"),
    "UK": ("GBP", "Europe/London"), "IE": ("EUR", "Europe/Dublin"),
    "DE": ("EUR", "Europe/Berlin"), "FR": ("EUR", "Europe/Paris"), "IT": ("EUR", "Europe/Rome"),
    "ES": ("EUR", "Europe/Madrid"), "NL": ("EUR", "Europe/Amsterdam"),
    "BE": ("EUR", "Europe/Brussels"), "SE": ("SEK", "Europe/Stockholm"),
    "PL": ("PLN", "Europe/Warsaw"), "TR": ("TRY", "Europe/Istanbul"),
    "AE": ("AED", "Asia/Dubai"), "SA": ("SAR", "Asia/Riyadh"), "EG": ("EGP", "Africa/Cairo"),
    "IN": ("INR", "Asia/Kolkata"), "ZA": ("ZAR", "Africa/Johannesburg"),
    "JP": ("JPY", "Asia/Tokyo"), "AU": ("AUD", "Australia/Sydney"),
    "SG": ("SGD", "Asia/Singapore"),
}  # fmt: skip
ALIASES = {"GB": "UK"}


@dataclass(frozen=True)
class Marketplace:
    """One marketplace as a seller account uses it."""

    code: str
    marketplace_id: str
    region: str
    endpoint: str
    token_url: str
    currency: str
    time_zone: str

    @property
    def region_name(self) -> str:
        """North America, Europe or Far East."""
        return REGION_NAMES.get(self.region, self.region)


@cache
def table() -> dict[str, Marketplace]:
    """Every marketplace sp_api knows, by code (UK, not GB), in sp_api's order."""
    out: dict[str, Marketplace] = {}
    for m in Marketplaces:
        code = ALIASES.get(m.name, m.name)
        currency, zone = LOCAL[code]
        out[code] = Marketplace(
            code=code, marketplace_id=m.marketplace_id, region=m.region,
            endpoint=str(m.endpoint).rstrip("/"), token_url=LWA_TOKEN_URLS[m.region],
            currency=currency, time_zone=zone,
        )  # fmt: skip
    return out


def get(code: str) -> Marketplace:
    """The marketplace of a code (`UK` or `GB`, any case); KeyError naming it if unknown."""
    key = ALIASES.get(code.strip().upper(), code.strip().upper())
    try:
        return table()[key]
    except KeyError:
        raise KeyError(f"unknown marketplace {code!r}") from None


def by_id(marketplace_id: str) -> Marketplace:
    """The marketplace of an Amazon marketplace id (KeyError if unknown)."""
    for m in table().values():
        if m.marketplace_id == marketplace_id:
            return m
    raise KeyError(marketplace_id)


def lwa_token_urls() -> frozenset[str]:
    """The token URLs of every region."""
    return frozenset(LWA_TOKEN_URLS.values())
