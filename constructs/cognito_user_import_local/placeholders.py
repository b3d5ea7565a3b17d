"""Placeholders: what a resource the emulator cannot model becomes, so that a deployment goes on.

A placeholder exists only in the driver's state. Its Ref is `<LogicalId>:not-emulated` and each
Fn::GetAtt `<LogicalId>.<Attribute>:not-emulated`, so that a value taken from it is recognisable
wherever it ends up: a resource whose properties hold one is made a placeholder too (sending such a
value to the emulator would only fail there, or worse, be taken for a real name).
"""

from __future__ import annotations

import json
import re
from typing import Any

SUFFIX = ":not-emulated"
_USED = re.compile(r"([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?" + re.escape(SUFFIX))


def placeholder_id(logical_id: str) -> str:
    """The physical id (what Ref gives) of a placeholder."""
    return f"{logical_id}{SUFFIX}"


def placeholder_attribute(logical_id: str, attribute: str) -> str:
    """What Fn::GetAtt gives for any attribute of a placeholder."""
    return f"{logical_id}.{attribute}{SUFFIX}"


def is_placeholder(physical_id: str) -> bool:
    return physical_id.endswith(SUFFIX)


def placeholders_used(properties: Any) -> list[str]:
    """Logical ids of the placeholders whose values appear in resolved properties, sorted."""
    return sorted(set(_USED.findall(json.dumps(properties))))
