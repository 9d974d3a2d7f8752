"""Amazon marketplaces: python-amazon-sp-api's own table, with what a seller's account needs.

`sp_api.base.Marketplaces` gives each marketplace its id, AWS region and SP-API endpoint. Beside
them: the Login with Amazon token URL of the region (NA `api.amazon.com`, EU `api.amazon.co.uk`,
FE `api.amazon.co.jp`), the currency prices are quoted in, the time zone of the marketplace's
business day, the locale its money is written in and the order of day and month in its reports.
Codes are Amazon's seller-facing ones: `UK` for the United Kingdom (sp_api names
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
# How a report writes a date whose year is not first: month/day/year, day/month/year; YMD: the
# year always comes first (ISO dates, 2026-04-03, are read in every marketplace).
MDY, DMY, YMD = "MDY", "DMY", "YMD"
REGION_NAMES = {"us-east-1": "North America", "eu-west-1": "Europe", "us-west-2": "Far East"}
# code: (currency, IANA time zone of the marketplace's day, Babel locale money is written in,
# order of day and month in its flat-file reports). The locale is the marketplace's own where
# the pages (English) read well with it; an English one of the country (en_JP, en_AE) or plain
# "en" where the country's own would write in another script. Report dates: month first where
# Amazon writes US-style dates (US, CA), year first in JP (2026/04/03), day first elsewhere.
LOCAL = {
    "US": ("USD", "America/Los_Angeles", "en_US", MDY),
    "CA": ("CAD", "America/Los_Angeles", "en_CA", MDY),
    "MX": ("MXN", "America/Mexico_City", "es_MX", DMY),
    "BR": ("BRL", "America/Sao_Paulo", "pt_BR", DMY),
    "UK": ("GBP", "Europe/London", "en_GB", DMY),
    "IE": ("EUR", "Europe/Dublin", "en_IE", DMY),
    "DE": ("EUR", "Europe/Berlin", "de_DE", DMY),
    "FR": ("EUR", "Europe/Paris", "fr_FR", DMY),
    "IT": ("EUR", "Europe/Rome", "it_IT", DMY),
    "ES": ("EUR", "Europe/Madrid", "es_ES", DMY),
    "NL": ("EUR", "Europe/Amsterdam", "nl_NL", DMY),
    "BE": ("EUR", "Europe/Brussels", "nl_BE", DMY),
    "SE": ("SEK", "Europe/Stockholm", "sv_SE", YMD),
    "PL": ("PLN", "Europe/Warsaw", "pl_PL", DMY),
    "TR": ("TRY", "Europe/Istanbul", "tr_TR", DMY),
    "AE": ("AED", "Asia/Dubai", "en_AE", DMY),
    "SA": ("SAR", "Asia/Riyadh", "en", DMY),
    "EG": ("EGP", "Africa/Cairo", "en", DMY),
    "IN": ("INR", "Asia/Kolkata", "en_IN", DMY),
    "ZA": ("ZAR", "Africa/Johannesburg", "en_ZA", YMD),
    "JP": ("JPY", "Asia/Tokyo", "en_JP", YMD),
    "AU": ("AUD", "Australia/Sydney", "en_AU", DMY),
    "SG": ("SGD", "Asia/Singapore", "en_SG", DMY),
}
ALIASES = {"GB": "UK"}
# The MarketplaceName Amazon's financial events and orders (SalesChannel) give each marketplace.
SALES_CHANNELS = {
    "US": "Amazon.com", "CA": "Amazon.ca", "MX": "Amazon.com.mx", "BR": "Amazon.com.br",
    "UK": "Amazon.co.uk", "IE": "Amazon.ie", "DE": "Amazon.de", "FR": "Amazon.fr",
    "IT": "Amazon.it", "ES": "Amazon.es", "NL": "Amazon.nl", "BE": "Amazon.com.be",
    "SE": "Amazon.se", "PL": "Amazon.pl", "TR": "Amazon.com.tr", "AE": "Amazon.ae",
    "SA": "Amazon.sa", "EG": "Amazon.eg", "IN": "Amazon.in", "ZA": "Amazon.co.za",
    "JP": "Amazon.co.jp", "AU": "Amazon.com.au", "SG": "Amazon.sg",
}  # fmt: skip


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
    locale: str
    date_order: str

    @property
    def sales_channel(self) -> str:
        """Its name in financial events and orders (MarketplaceName, SalesChannel)."""
        return SALES_CHANNELS.get(self.code, f"Amazon {self.code}")

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
        currency, zone, locale, date_order = LOCAL[code]
        out[code] = Marketplace(
            code=code, marketplace_id=m.marketplace_id, region=m.region,
            endpoint=str(m.endpoint).rstrip("/"), token_url=LWA_TOKEN_URLS[m.region],
            currency=currency, time_zone=zone, locale=locale, date_order=date_order,
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
