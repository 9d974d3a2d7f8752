"""The generated seller's product catalog: identities, sizes, fees, costs and demand traits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from simulator.markets import DEFAULT as DEFAULT_MARKET
from simulator.markets import market

TIERS = ("small_standard", "large_standard", "large_standard_heavy", "large_bulky")
TIER_SHARE = (0.45, 0.33, 0.14, 0.08)

# (name, sku prefix, nouns, median price $, referral rate, strong Q4)
CATEGORIES = (
    (
        "Kitchen",
        "KIT",
        ("Spatula Set", "Measuring Cups", "Oil Sprayer", "Knife Sharpener"),
        19.0,
        0.15,
        False,
    ),
    (
        "Home",
        "HOM",
        ("Storage Bins", "Drawer Organizer", "Door Stopper", "Throw Pillow"),
        24.0,
        0.15,
        False,
    ),
    (
        "Toys",
        "TOY",
        ("Building Blocks", "Puzzle Cube", "Plush Bear", "Card Game"),
        22.0,
        0.15,
        True,
    ),
    (
        "Sports",
        "SPT",
        ("Resistance Bands", "Yoga Mat", "Water Bottle", "Jump Rope"),
        27.0,
        0.15,
        False,
    ),
    (
        "Beauty",
        "BTY",
        ("Hair Clips", "Makeup Brushes", "Nail Kit", "Face Roller"),
        16.0,
        0.08,
        False,
    ),
    (
        "Electronics",
        "ELC",
        ("USB-C Cable", "Phone Stand", "Cable Organizer", "Power Strip"),
        21.0,
        0.08,
        True,
    ),
    ("Pet", "PET", ("Dog Leash", "Cat Toy Set", "Pet Brush", "Feeding Mat"), 18.0, 0.15, False),
    (
        "Garden",
        "GRD",
        ("Plant Labels", "Hose Nozzle", "Pruning Shears", "Seed Tray"),
        23.0,
        0.15,
        False,
    ),
)
# Big items get names that fit their size: (large_standard_heavy, large_bulky) per category.
BIG_NOUNS = {
    "Kitchen": ("Cast Iron Skillet Set", "Kitchen Cart"),
    "Home": ("Area Rug", "Bookshelf"),
    "Toys": ("Wooden Train Set", "Play Tent"),
    "Sports": ("Kettlebell", "Weight Bench"),
    "Beauty": ("Salon Towel Pack", "Salon Chair"),
    "Electronics": ("Desktop Speaker Pair", "TV Stand"),
    "Pet": ("Cat Litter Box", "Dog Crate"),
    "Garden": ("Potting Soil Bag", "Raised Garden Bed"),
}
ADJECTIVES = ("Premium", "Compact", "Deluxe", "Classic", "Eco", "Pro", "Essential", "Ultra")
COLORS = ("Black", "White", "Blue", "Grey", "Green", "Red", "Natural", "Pink")

# Dimension ranges (inches, lb) per tier: (L lo, L hi, W lo, W hi, H lo, H hi, weight lo, weight hi)
_DIMS = {
    "small_standard": (5.0, 14.0, 3.0, 11.0, 0.3, 0.75, 0.1, 0.9),
    "large_standard": (8.0, 17.0, 5.0, 13.0, 1.0, 7.5, 0.6, 2.9),
    "large_standard_heavy": (12.0, 18.0, 9.0, 14.0, 4.0, 8.0, 3.2, 19.0),
    "large_bulky": (22.0, 58.0, 12.0, 32.0, 8.0, 30.0, 12.0, 48.0),
}


@dataclass(frozen=True)
class WorldSpec:
    """What fixes a generated seller: seed, catalog size, first day and the catalog anchor day."""

    seed: int
    n_skus: int
    start: date
    anchor: (
        date  # the --today the world was created for: launches/discontinuations count back from it
    )
    marketplace: str = DEFAULT_MARKET  # its days, currency and report formats (simulator.markets)


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """A generator that depends only on the seed and the keys (stream id, day ordinal, ...)."""
    return np.random.default_rng([seed & 0xFFFFFFFF, *keys])


def _code(seed: int, idx: int, salt: str, length: int) -> str:
    """Deterministic upper-case alphanumeric code, for ASINs and FNSKUs."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = hashlib.sha256(f"{salt}:{seed}:{idx}".encode()).digest()
    return "".join(alphabet[b % 36] for b in digest[:length])


def fulfillment_fee(tier: str, weight_lb: float) -> float:
    """Approximate 2025 non-peak FBA fulfillment fee per unit (see shared/fba-fees.md)."""
    if tier == "small_standard":
        return round(3.06 + 0.75 * weight_lb, 2)
    if tier == "large_standard":
        return round(3.68 + 0.98 * weight_lb, 2)
    if tier == "large_standard_heavy":
        return round(6.92 + 0.16 * 2 * max(weight_lb - 3.0, 0.0), 2)
    return round(9.61 + 0.38 * max(weight_lb - 1.0, 0.0), 2)


def make_catalog(spec: WorldSpec) -> pd.DataFrame:
    """One row per SKU; row i depends only on (seed, i) for the listed attributes."""
    n = spec.n_skus
    mk = market(spec.marketplace)

    # One generator per attribute so the i-th SKU never depends on how many SKUs there are.
    def draw(stream: int) -> np.random.Generator:
        return rng_for(spec.seed, 1000 + stream)

    cat_idx = draw(1).integers(0, len(CATEGORIES), n)
    tier_idx = np.searchsorted(np.cumsum(TIER_SHARE), draw(2).random(n) * 0.999999)
    dims_u = draw(3).random((n, 4))
    price_z = draw(4).standard_normal(n)
    cost_u = draw(5).random(n)
    name_u = draw(6).integers(0, 10_000, (n, 3))
    lead = draw(7).integers(20, 76, n)
    pack_u = draw(8).random(n)
    moq_u = draw(9).random(n)
    rows = []
    for i in range(n):
        cname, prefix, nouns, median_price, referral, _ = CATEGORIES[cat_idx[i]]
        tier = TIERS[tier_idx[i]]
        lo_l, hi_l, lo_w, hi_w, lo_h, hi_h, lo_wt, hi_wt = _DIMS[tier]
        u = dims_u[i]
        length = round(lo_l + (hi_l - lo_l) * u[0], 1)
        width = round(min(length, lo_w + (hi_w - lo_w) * u[1]), 1)
        height = round(min(width, lo_h + (hi_h - lo_h) * u[2]), 2)
        weight = round(lo_wt + (hi_wt - lo_wt) * u[3], 2)
        scale = {"large_standard_heavy": 2.2, "large_bulky": 4.0}.get(tier, 1.0)
        price = float(np.clip(median_price * scale * np.exp(0.45 * price_z[i]), 6.99, 499.0))
        fee = fulfillment_fee(tier, weight)
        # Nobody lists an FBA item below what the fees and a minimal landed cost need.
        price = max(price, (fee + 2.0) / (1 - referral) * 1.25)
        price = float(np.floor(price) + 0.99)
        # Landed cost leaves a margin after fees; low-price items have thinner margins.
        unit_cost = round(max(0.8, (price - fee - referral * price) * (0.35 + 0.4 * cost_u[i])), 2)
        # In the marketplace's currency (US: unchanged).
        price = mk.price(price * mk.price_factor)
        fee = round(fee * mk.price_factor, mk.minor_units)
        unit_cost = round(unit_cost * mk.price_factor, mk.minor_units)
        case_pack = 1 if tier == "large_bulky" else int((1, 2, 6, 12, 24)[int(pack_u[i] * 5)])
        moq = int(case_pack * (0, 0, 1, 2, 5)[int(moq_u[i] * 5)])
        noun = nouns[name_u[i, 0] % len(nouns)]
        if tier in ("large_standard_heavy", "large_bulky"):
            noun = BIG_NOUNS[cname][tier == "large_bulky"]
        title = (
            f"{ADJECTIVES[name_u[i, 1] % len(ADJECTIVES)]} {noun}, "
            f"{COLORS[name_u[i, 2] % len(COLORS)]}"
        )
        rows.append(
            {
                "sku": f"{prefix}-{i + 1:04d}",
                "asin": "B0" + _code(spec.seed, i, "asin", 8),
                "fnsku": "X00" + _code(spec.seed, i, "fnsku", 7),
                "title": title,
                "category": cname,
                "unit_cost": unit_cost,
                "list_price": price,
                "fulfillment_fee": fee,
                "referral_rate": referral,
                "length_in": length,
                "width_in": width,
                "height_in": height,
                "weight_lb": weight,
                "cubic_feet": round(length * width * height / 1728.0, 4),
                "size_tier": tier,
                "lead_time_days": int(lead[i]),
                "case_pack": case_pack,
                "moq": moq,
            }
        )
    return pd.DataFrame(rows)


def make_traits(spec: WorldSpec, catalog: pd.DataFrame) -> dict[str, np.ndarray]:
    """Demand and replenishment traits per SKU (arrays of length n_skus)."""
    n = spec.n_skus

    def draw(stream: int) -> np.random.Generator:
        return rng_for(spec.seed, 2000 + stream)

    kind = draw(1).random(n)
    level = np.exp(np.log(1.8) + 0.9 * draw(2).standard_normal(n))
    slow = kind < 0.15
    level = np.where(slow, 0.04 + 0.4 * draw(3).random(n), np.clip(level, 0.3, 40.0))
    trend_u = draw(4).random(n)
    growth = np.where(
        trend_u < 0.25,
        0.2 + 0.8 * draw(5).random(n),
        np.where(trend_u < 0.45, -(0.2 + 0.4 * draw(6).random(n)), 0.1 * (draw(7).random(n) - 0.5)),
    )
    q4 = np.array([CATEGORIES[[c[0] for c in CATEGORIES].index(x)][5] for x in catalog["category"]])
    life = draw(8).random(n)
    launch_back = draw(9).integers(14, 151, n)
    disc_back = draw(10).integers(20, 201, n)
    anchor = spec.anchor.toordinal()
    launch = np.where(life < 0.10, anchor - launch_back, -1)
    discontinue = np.where((life >= 0.10) & (life < 0.15), anchor - disc_back, 1 << 30)
    return {
        "level": level,
        "growth": growth,
        "weekly_amp": 0.25 * draw(11).random(n),
        "weekly_peak": draw(12).integers(0, 7, n),
        "yearly_amp": np.where(q4, 0.3, 0.0) + 0.35 * draw(13).random(n),
        "yearly_phase": draw(14).random(n) * 2 * np.pi,
        "q4": q4.astype(float),
        "holiday_sens": 0.4 + 1.4 * draw(15).random(n),
        "elasticity": 0.8 + 2.2 * draw(16).random(n),
        "dispersion": np.where(slow, 0.6, 1.5) + 8.0 * draw(17).random(n),
        "launch": launch.astype(np.int64),
        "discontinue": discontinue.astype(np.int64),
        "cover_days": 12 + 50 * draw(18).random(n),
        "skip_prob": 0.3 * draw(19).random(n),
        "review_dow": draw(20).integers(0, 7, n),
        "prime_deal": draw(21).random(n) < 0.5,
    }
