"""Hypothesis strategies for what Recall sends, drawn from its own published schemas: the
`Bot` of its OpenAPI document (tests/data/openapi.json) and its webhook catalog
(tests/data/webhooks.json), turned into self-contained JSON Schema for hypothesis-jsonschema."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hypothesis_jsonschema._from_schema as _from_schema
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis_jsonschema import from_schema

DATA = Path(__file__).parent / "data"

# --- RFC 3339 timestamps, in every form the grammar allows ----------------------------------

# Our own name for "date-time": hypothesis-jsonschema's only writes `T` and `Z` in upper case
# and at most six fraction digits, and overriding a standard format is a warning (an error in
# this suite).
RFC3339 = "rfc3339-any-form"


def _two_digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map("{:02d}".format)


def _timestamp(
    day: date,
    separator: str,
    hour: str,
    minute: str,
    second: str,
    fraction: str | None,
    offset: str,
) -> str:
    secfrac = f".{fraction}" if fraction else ""
    return f"{day.isoformat()}{separator}{hour}:{minute}:{second}{secfrac}{offset}"


# Any RFC 3339 date-time: years 1 to 9999, `T` or `t`, a leap second, any number of fraction
# digits, and `Z`, `z` or an offset up to ±23:59, so also instants a UTC datetime cannot hold.
RFC3339_TIMESTAMPS = st.builds(
    _timestamp,
    st.dates(),
    st.sampled_from("Tt"),
    _two_digits(0, 23),
    _two_digits(0, 59),
    _two_digits(0, 60),
    st.none() | st.text("0123456789", min_size=1, max_size=12),
    st.sampled_from("Zz")
    | st.builds("{}{}:{}".format, st.sampled_from("+-"), _two_digits(0, 23), _two_digits(0, 59)),
)

FORMATS = {RFC3339: RFC3339_TIMESTAMPS}

# --- the Bot schema, made self-contained JSON Schema --------------------------------------

# What JSON Schema validates by; descriptions, examples and vendor extensions are left out.
_KEPT = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "format",
        "required",
    }
)


def json_schema(node: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema, for a response: `$ref`s inlined,
    `nullable` spelled as null allowed, write-only forms dropped, `date-time` as `RFC3339`."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {
                name: json_schema(sub, components)
                for name, sub in value.items()
                if not sub.get("writeOnly")
            }
        elif key in ("items", "additionalProperties"):
            out[key] = json_schema(value, components)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [json_schema(sub, components) for sub in value if not sub.get("writeOnly")]
        elif key == "format" and value == "date-time":
            out[key] = RFC3339
        elif key in _KEPT:
            out[key] = copy.deepcopy(value)
    if out.get("type") == "array" and "maxItems" not in out:
        out["maxItems"] = 3  # bounded: a few of anything shows how lists are read
    if "properties" in out and "additionalProperties" not in out:
        # Only the fields the document names: whatever else Recall adds is never read, and
        # inventing arbitrary extra JSON for every object is most of the generating time.
        out["additionalProperties"] = False
    if list(out) == ["allOf"] and len(out["allOf"]) == 1:
        # How the document wraps a $ref to add a description: the wrapper is the schema
        # itself, and hypothesis-jsonschema would merge it anew on every draw.
        out = out["allOf"][0]
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def bot_schema(min_recordings: int = 0) -> dict[str, Any]:
    spec = json.loads((DATA / "openapi.json").read_text())
    components = spec["components"]["schemas"]
    # Real status changes carry null sub_code and message, though the schema types them as
    # strings (tests/test_fakes.py validates the fake's bots the same way).
    for field in ("sub_code", "message"):
        components["BotEvent"]["properties"][field]["nullable"] = True
    schema = json_schema(components["Bot"], components)
    schema["properties"]["recordings"]["minItems"] = min_recordings
    # Bounded: bots with a handful of recordings and status changes are what matters here.
    schema["properties"]["recordings"]["maxItems"] = 4
    schema["properties"]["status_changes"]["maxItems"] = 6
    return schema


def webhook_schemas() -> dict[str, dict[str, Any]]:
    catalog = json.loads((DATA / "webhooks.json").read_text())["data"]
    schemas = {}
    for item in catalog:
        if not item.get("schemas"):  # a few entries (slack_team.*) carry no schema
            continue
        schema = copy.deepcopy(item["schemas"][max(item["schemas"])])
        for key in ("$id", "$schema", "examples"):
            schema.pop(key, None)
        schemas[item["name"]] = json_schema(schema, {})
    return schemas


# Parts of a bot that nothing of ours reads, kept to their cheapest valid form so that 200
# examples take seconds, not a minute: the settings echoed from the create request are left
# out (they are optional), and a recording's media shortcuts other than video_mixed are null
# (the schema allows it).
_UNREAD_SETTINGS = (
    "recording_config",
    "output_media",
    "automatic_video_output",
    "automatic_audio_output",
    "chat",
    "automatic_leave",
    "variant",
    "zoom",
    "google_meet",
    "breakout_room",
)
_UNREAD_SHORTCUTS = ("transcript", "participant_events", "meeting_metadata", "audio_mixed")


def bots(min_recordings: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    schema = bot_schema(min_recordings)
    for name in _UNREAD_SETTINGS:
        del schema["properties"][name]
    recording = schema["properties"]["recordings"]["items"]
    for name in _UNREAD_SHORTCUTS:
        recording["properties"]["media_shortcuts"]["properties"][name] = {"type": "null"}
    return from_schema(schema, custom_formats=FORMATS)


def webhook_payloads() -> st.SearchStrategy[dict[str, Any]]:
    """A payload of any event in the catalog."""
    schemas = webhook_schemas()
    return st.one_of(
        [from_schema(schemas[name], custom_formats=FORMATS) for name in sorted(schemas)]
    )


# --- hypothesis-jsonschema on a newer hypothesis --------------------------------------------


class _ManyWithMore:
    """hypothesis-jsonschema 0.23 (the latest) builds objects by asking hypothesis' internal
    `many` for `more()`; newer hypothesis only lets it be iterated inside a `with`. This makes
    the same draws through the new interface, so every object schema generates again."""

    def __init__(
        self, data: ConjectureData, min_size: int, max_size: float, average_size: float
    ) -> None:
        self._many = conjecture_utils.many(
            data, min_size=min_size, max_size=max_size, average_size=average_size
        )
        self._elements: Any = None

    def more(self) -> bool:
        if self._elements is None:
            self._many.__enter__()
            self._elements = iter(self._many)
        finished = object()
        if next(self._elements, finished) is finished:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self) -> None:
        self._many.reject()


if not hasattr(conjecture_utils.many, "more"):
    _from_schema.cu = SimpleNamespace(**vars(conjecture_utils))  # type: ignore[attr-defined]
    _from_schema.cu.many = _ManyWithMore


class _StrategyPerSchema:
    """hypothesis-jsonschema builds the strategy for each property of an object anew on every
    draw (resolving and canonicalising its schema again), which makes a schema the size of
    Recall's Bot take most of a second per example. Each sub-schema is the same object from
    draw to draw, so its strategy is built once and kept (with the schema, so ids stay unique).
    """

    def __init__(self, build: Any) -> None:
        self._build = build
        self._built: dict[tuple[int, int, int], tuple[Any, Any]] = {}

    def __call__(self, schema: Any, *, alphabet: Any, custom_formats: Any) -> Any:
        key = (id(schema), id(alphabet), id(custom_formats))
        kept = self._built.get(key)
        if kept is None or kept[0] is not schema:
            kept = (schema, self._build(schema, alphabet=alphabet, custom_formats=custom_formats))
            self._built[key] = kept
        return kept[1]


_FROM_SCHEMA = "__from_schema"  # a module global, looked up by name on every call
if not isinstance(vars(_from_schema)[_FROM_SCHEMA], _StrategyPerSchema):
    setattr(_from_schema, _FROM_SCHEMA, _StrategyPerSchema(vars(_from_schema)[_FROM_SCHEMA]))
