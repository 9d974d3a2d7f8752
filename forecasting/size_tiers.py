"""FBA size tier and unit volume from packaged dimensions and weight (US, from 2024-02)."""

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
