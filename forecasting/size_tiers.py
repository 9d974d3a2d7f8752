"""FBA size tier and unit volume from packaged dimensions and weight (US, from 2024-02), and the
tier code of Amazon's own wording of a tier."""

from __future__ import annotations

CUBIC_INCHES_PER_CUBIC_FOOT = 1728.0


def unit_cubic_feet(length_in: float, width_in: float, height_in: float) -> float:
    """Volume of one packaged unit in cubic feet: L x W x H in inches / 1728."""
    return length_in * width_in * height_in / CUBIC_INCHES_PER_CUBIC_FOOT


def size_tier(length_in: float, width_in: float, height_in: float, weight_lb: float) -> str:
    """Size tier from dimensions (any order) and unit weight in pounds.

    Uses the unit weight as given (Amazon uses dimensional weight for some tiers; pass the larger
    of the two if you have it). Returns one of small_standard, large_standard (<= 3 lb),
    large_standard_heavy (3-20 lb), large_bulky, extra_large.
    """
    if min(length_in, width_in, height_in) <= 0 or weight_lb < 0:
        raise ValueError("dimensions must be positive and weight non-negative")
    longest, median, shortest = sorted((length_in, width_in, height_in), reverse=True)
    if weight_lb <= 1.0 and longest <= 15 and median <= 12 and shortest <= 0.75:
        return "small_standard"
    if weight_lb <= 20.0 and longest <= 18 and median <= 14 and shortest <= 8:
        return "large_standard" if weight_lb <= 3.0 else "large_standard_heavy"
    if weight_lb <= 50.0 and longest <= 59 and median <= 33 and shortest <= 33:
        return "large_bulky"
    return "extra_large"


TIER_CODES = {
    "small standard": "small_standard",
    "large standard": "large_standard",
    "large bulky": "large_bulky",
    "extra-large": "extra_large",
    "extra large": "extra_large",
    "oversize": "large_bulky",
}


def tier_code(label: str | None, weight_lb: float | None = None) -> str | None:
    """Our size-tier code from Amazon's wording ('Large standard-size', 'Small standard', ...).

    Large standard splits at 3 lb, as the low-inventory fee bands do.
    """
    if not label:
        return None
    text = label.strip().lower().replace("_", " ").replace("-size", "").replace(" size", "")
    if (
        text
        in (
            "small_standard",
            "large_standard",
            "large_standard_heavy",
            "large_bulky",
            "extra_large",
        )
        or label in TIER_CODES.values()
        or label == "large_standard_heavy"
    ):
        return label
    for prefix, code in TIER_CODES.items():
        if text.startswith(prefix):
            if code == "large_standard" and weight_lb is not None and weight_lb > 3.0:
                return "large_standard_heavy"
            return code
    return None
