"""Request parsing: JSON bodies checked field by field against declared specs, and query params.

The same `Field` specs generate the OpenAPI request schemas, so what is validated and what is
documented cannot drift apart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request

from app.web.api.errors import ApiError

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Field:
    """One accepted body field: its JSON type and the values it may take."""

    kind: str  # "integer" | "number" | "string" | "boolean"
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    decimals: int | None = None  # numbers are rounded to what the column stores

    def check(self, value: Any) -> tuple[Any, str | None]:
        """The value to store, or an error message saying what is wrong with it."""
        if value is None:
            return (None, None) if self.nullable else (None, "must not be null")
        if self.kind == "boolean":
            return (value, None) if isinstance(value, bool) else (None, "must be true or false")
        if self.kind == "string":
            return self._check_string(value)
        return self._check_number(value)

    def _check_string(self, value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, "must be a string"
        if self.choices is not None:
            if value not in self.choices:
                return None, "must be one of " + ", ".join(self.choices)
            return value, None
        text = value.strip()
        if self.min_length is not None and len(text) < self.min_length:
            return None, f"must have at least {self.min_length} non-blank character(s)"
        if self.max_length is not None and len(value) > self.max_length:
            return None, f"must be at most {self.max_length} characters"
        if "\x00" in value:
            return None, "must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (JSON "\\ud800") cannot be stored in any database.
            return None, "must be valid Unicode text"
        return text, None

    def _check_number(self, value: Any) -> tuple[Any, str | None]:
        # bool is an int subclass in Python; true/false is not a quantity.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"must be {'an integer' if self.kind == 'integer' else 'a number'}"
        if isinstance(value, float) and not math.isfinite(value):
            return None, "must be a finite number"
        if self.kind == "integer" and isinstance(value, float):
            if not value.is_integer():
                return None, "must be an integer"
            value = int(value)
        if self.decimals is not None:
            value = round(value, self.decimals)
        if self.minimum is not None and value < self.minimum:
            return None, f"must be at least {_fmt(self.minimum)}"
        if self.maximum is not None and value > self.maximum:
            return None, f"must be at most {_fmt(self.maximum)}"
        return value, None

    def schema(self) -> dict[str, Any]:
        """The OpenAPI 3.0 schema of this field."""
        out: dict[str, Any] = {"type": self.kind}
        if self.description:
            out["description"] = self.description
        if self.minimum is not None:
            out["minimum"] = _fmt(self.minimum)
        if self.maximum is not None:
            out["maximum"] = _fmt(self.maximum)
        if self.choices is not None:
            out["enum"] = list(self.choices)
        else:
            if self.min_length is not None:
                out["minLength"] = self.min_length
                # Blank strings are refused too; say so in the document.
                out["pattern"] = r"\S"
            if self.max_length is not None:
                out["maxLength"] = self.max_length
        if self.nullable:
            out["nullable"] = True
        return out


def _fmt(number: float) -> float | int:
    return int(number) if float(number).is_integer() else number


def object_schema(fields: Mapping[str, Field], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """OpenAPI schema of a JSON object made of `fields` (no other keys allowed)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: f.schema() for name, f in fields.items()},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def validate(
    data: Any,
    fields: Mapping[str, Field],
    required: tuple[str, ...] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """Check a JSON object against `fields`; raises 422 naming every bad field at once."""
    if not isinstance(data, dict):
        raise ApiError(422, "validation_error", f"{prefix or 'body'} must be a JSON object")
    errors = collect_errors(data, fields, required, prefix)
    if errors:
        raise invalid(errors)
    return {name: fields[name].check(value)[0] for name, value in data.items()}


def collect_errors(
    data: dict[str, Any],
    fields: Mapping[str, Field],
    required: tuple[str, ...] = (),
    prefix: str = "",
) -> dict[str, str]:
    """Field name (dotted with `prefix`) -> message, for every problem in `data`."""
    errors: dict[str, str] = {}
    for name in data:
        if name not in fields:
            errors[prefix + str(name)] = "unknown field"
    for name in required:
        if name not in data:
            errors[prefix + name] = "is required"
    for name, value in data.items():
        if name in fields:
            _, message = fields[name].check(value)
            if message:
                errors[prefix + name] = message
    return errors


def invalid(errors: dict[str, str]) -> ApiError:
    """The 422 error for a set of field errors."""
    fields = ", ".join(sorted(errors))
    return ApiError(422, "validation_error", f"invalid field(s): {fields}", errors)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_body(required: bool = True) -> Any:
    """The parsed JSON body; 400 when malformed, 415 when not JSON, {} when optional and empty."""
    raw = request.get_data(cache=True)
    if not raw:
        if required:
            raise ApiError(400, "bad_request", "a JSON request body is required", {"body": "empty"})
        return {}
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "send the body as application/json", {"body": "type"}
        )
    try:
        # NaN and Infinity are accepted by Python's parser but are not JSON.
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "body is not UTF-8", {"body": "not UTF-8"}) from None
    except RecursionError:
        raise ApiError(400, "bad_json", "body is nested too deeply", {"body": "too deep"}) from None
    except ValueError as exc:
        raise ApiError(400, "bad_json", f"malformed JSON: {exc}", {"body": str(exc)}) from None


def query_int(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    """An integer query parameter within bounds, or 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise bad_query(name, "must be an integer") from None
    if not minimum <= value <= maximum:
        raise bad_query(name, f"must be between {minimum} and {maximum}")
    return value


def query_str(name: str, max_length: int = 200) -> str | None:
    """A free-text query parameter, or None when absent or blank."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > max_length or "\x00" in raw:
        raise bad_query(name, f"must be at most {max_length} characters of text")
    return raw.strip()


def query_choice(name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
    """A query parameter restricted to `choices`."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise bad_query(name, "must be one of " + ", ".join(choices))
    return raw


def bad_query(name: str, message: str) -> ApiError:
    """400 for a bad query parameter, naming it."""
    return ApiError(400, "bad_query", f"query parameter {name!r} {message}", {name: message})


def page_params() -> tuple[int, int]:
    """limit and offset from the query string."""
    limit = query_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = query_int("offset", 0, 0, MAX_OFFSET)
    assert limit is not None and offset is not None
    return limit, offset
