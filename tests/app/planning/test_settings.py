"""One SKU-settings schema: the form, the API (and its document) and the importer share limits."""

from __future__ import annotations

import itertools

from wtforms.validators import NumberRange

from app.imports.sku_settings import INT_RANGES, validate_row
from app.planning import settings
from app.planning.settings import pack_problem
from app.web.api.openapi import document
from app.web.api.skus import SKU_SETTINGS
from app.web.forms import SkuSettingsForm
from forecasting.policy import allowed


def _form_range(name: str) -> tuple[float, float]:
    field = getattr(SkuSettingsForm, name)
    (rng,) = [v for v in field.kwargs["validators"] if isinstance(v, NumberRange)]
    return rng.min, rng.max


def test_every_consumer_derives_the_same_limits() -> None:
    schema = document()["components"]["schemas"]["SkuSettings"]["properties"]
    for name, setting in settings.SETTINGS.items():
        expected = (setting.minimum, setting.maximum)
        assert _form_range(name) == expected, name
        api = SKU_SETTINGS[name]
        assert (api.minimum, api.maximum) == expected, name
        assert (schema[name]["minimum"], schema[name]["maximum"]) == expected, name
        if setting.kind == "integer":
            assert INT_RANGES[name] == expected, name


def test_unit_cost_has_one_upper_limit_everywhere() -> None:
    top = settings.UNIT_COST.maximum
    assert top == 100_000
    assert SKU_SETTINGS["unit_cost"].check(top)[1] is None
    assert SKU_SETTINGS["unit_cost"].check(top + 0.01)[1] == f"must be at most {top}"
    assert validate_row(2, {"unit_cost": str(top)}) == ({"unit_cost": float(top)}, [])
    _, errors = validate_row(2, {"unit_cost": "100000.01"})
    assert [e.column for e in errors] == ["unit_cost"]


def test_the_pack_check_is_the_planners_rule() -> None:
    for qty, pack, moq in itertools.product(range(1, 60), (1, 4, 6, 12), (0, 5, 24, 36)):
        problem = pack_problem(qty, pack, moq)
        assert (problem is None) == allowed(qty, pack, moq), (qty, pack, moq)
        if problem == "case_pack":
            assert qty % pack
        elif problem == "moq":
            assert qty % pack == 0 and qty < moq
    # Unset settings mean "sold singly, no minimum".
    assert pack_problem(7, None, None) is None and pack_problem(7, 0, 0) is None


def test_lead_time_parts_add_up_to_at_most_a_year() -> None:
    assert settings.lead_time_error([200, 100, 65]) is None
    assert settings.lead_time_error([200, 100, 66])


def test_stockout_settings_inherit_sku_then_account_then_the_planners_default() -> None:
    from forecasting.policy import DEFAULT_STOCKOUT_COST_MULTIPLE

    assert settings.stockout_policy(None, None, None, None) == (
        DEFAULT_STOCKOUT_COST_MULTIPLE, None)
    assert settings.stockout_policy(None, None, 3, 95) == (3.0, 0.95)
    assert settings.stockout_policy(0, 98, 3, 95) == (0.0, 0.98)
    # they may be left empty in the API (inherit); out of range is refused like the others
    for name in settings.STOCKOUT_SETTINGS:
        assert SKU_SETTINGS[name].check(None)[1] is None
    assert SKU_SETTINGS["in_stock_target_pct"].check(100)[1] == "must be at most 99"
    assert validate_row(2, {"in_stock_target_pct": "98", "stockout_cost_multiple": "2"}) == (
        {"in_stock_target_pct": 98, "stockout_cost_multiple": 2}, [])
    _, errors = validate_row(2, {"in_stock_target_pct": "40"})
    assert [e.column for e in errors] == ["in_stock_target_pct"]
