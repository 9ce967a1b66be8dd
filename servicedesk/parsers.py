"""The API's JSON parser: what PostgreSQL or Python cannot hold is refused as a 400 at the door, not a 500 later.
NaN and Infinity (as names or as 1e400), nesting deeper than MAX_DEPTH (5,000 levels exhaust Python's recursion)
and NUL bytes in any string."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def check_shape(data: Any) -> None:
    """Depth and NUL bytes, walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(_("JSON 中含有不允许的控制字符（NUL）。"))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ParseError(_("JSON 嵌套超过 %(n)d 层。") % {"n": MAX_DEPTH})
        items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items)


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
        except RecursionError:
            raise ParseError(_("JSON 嵌套超过 %(n)d 层。") % {"n": MAX_DEPTH}) from None
        except (ValueError, UnicodeDecodeError):
            raise ParseError(_("JSON 格式错误，或含有 NaN、Infinity 等无法保存的数值。")) from None
        check_shape(data)
        return data
