"""Synth-time checks of construct arguments: each failure names the construct and prop, shows the bad
value (repr) and its type, and says what is expected.

Python does not check annotations at run time, and jsii's own argument checks accept any object for an
interface type (its interfaces are typing Protocols that ``isinstance`` refuses to check: "Instance and
class checks can only be used with @runtime_checkable protocols"). So interfaces are checked here with
the metadata jsii itself keeps:

- a class that implements interfaces (``cognito.UserPool``, ``s3.BucketBase``, or a user's own class
  decorated with ``@jsii.implements``) lists them in ``__jsii_ifaces__``;
- an object the JavaScript side hands back typed only by interfaces (``UserPool.from_user_pool_id``,
  ``Role.from_role_arn``) arrives as an ``InterfaceDynamicProxy`` whose delegates are proxy classes
  carrying the interface's ``__jsii_type__``.

Values that may be tokens (strings and numbers) are type-checked but not range-checked when unresolved.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator
from typing import Any

from aws_cdk import Token

# jsii's class for interface-typed references (jsii 1.x keeps it in a private module): looked up rather
# than imported, so a jsii that moves it makes imported resources fail the check instead of the import.
_InterfaceDynamicProxy: type | None = getattr(
    importlib.import_module("jsii._reference_map"), "InterfaceDynamicProxy", None
)

_REPR_MAX = 120


def shown(value: Any) -> str:
    """The value as messages show it: its repr (shortened) and its type, ``'false' (str)``."""
    text = repr(value)
    if len(text) > _REPR_MAX:
        text = text[: _REPR_MAX - 3] + "..."
    return f"{text} ({type_name(value)})"


def type_name(value: Any) -> str:
    """A type's name as a user knows it; an imported resource shows its interfaces (``IRole``)."""
    delegates = _delegates(value)
    if delegates is not None:
        names = [
            str(getattr(type(d), "__jsii_type__", type(d).__name__)).rsplit(".", 1)[-1]
            for d in delegates
            if getattr(type(d), "__jsii_type__", "").rsplit(".", 1)[-1].startswith("I")
        ]
        return " + ".join(names) or type(value).__name__
    return type(value).__name__


def _delegates(value: Any) -> list[Any] | None:
    if _InterfaceDynamicProxy is not None and isinstance(value, _InterfaceDynamicProxy):
        return list(object.__getattribute__(value, "_delegates"))
    return None


def _jsii_types(cls: type) -> Iterator[str]:
    """Every jsii type name ``cls`` is or implements, through its bases and the interfaces' bases."""
    for klass in cls.__mro__:
        own = getattr(klass, "__jsii_type__", None)
        if own:
            yield str(own)
        for iface in getattr(klass, "__jsii_ifaces__", ()):
            for base in iface.__mro__:
                name = getattr(base, "__jsii_type__", None)
                if name:
                    yield str(name)


def implements(value: Any, interface: type) -> bool:
    """Whether ``value`` is a jsii object implementing ``interface`` (a jsii interface class such as
    ``cognito.IUserPool``): constructs of the app, imported resources and user classes alike."""
    wanted = getattr(interface, "__jsii_type__", None)
    if wanted is None:
        raise TypeError(f"{interface!r} is not a jsii interface")
    if interface in type(value).__mro__:
        return True
    delegates = _delegates(value)
    classes = [type(d) for d in delegates] if delegates is not None else [type(value)]
    return any(wanted == name for cls in classes for name in _jsii_types(cls))


def require_interface(owner: str, prop: str, value: Any, interface: type, expected: str) -> None:
    """Raise TypeError unless ``value`` implements the jsii ``interface``; ``expected`` describes it."""
    if not implements(value, interface):
        raise TypeError(f"{owner}: {prop} must be {expected}, got {shown(value)}")


def require_instance(owner: str, prop: str, value: Any, cls: type | tuple[type, ...], expected: str) -> None:
    """Raise TypeError unless ``value`` is an instance of ``cls`` (a Python or jsii class)."""
    if not isinstance(value, cls):
        raise TypeError(f"{owner}: {prop} must be {expected}, got {shown(value)}")


def require_bool(owner: str, prop: str, value: Any) -> bool:
    """A real bool: the string ``'false'`` is truthy and would act as True."""
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: {prop} must be a bool (True or False), got {shown(value)}")
    return value


def require_str(owner: str, prop: str, value: Any, *, optional: bool = False) -> None:
    """A str (tokens are strings too); None as well when ``optional``."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        expected = "a str or None" if optional else "a str"
        raise TypeError(f"{owner}: {prop} must be {expected}, got {shown(value)}")


def is_token(value: Any) -> bool:
    """Whether a str or number is an unresolved token (other values never are, here)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False  # never a token; and jsii cannot send NaN or infinity (its kernel process dies)
    return bool(Token.is_unresolved(value))


def require_number(owner: str, prop: str, value: Any, *, whole: bool = False) -> None:
    """An int (or a float unless ``whole``), never a bool; number tokens (floats) pass."""
    if is_token(value):
        return
    allowed: tuple[type, ...] = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed):
        expected = "a whole number (int)" if whole else "a number (int or float)"
        raise TypeError(f"{owner}: {prop} must be {expected}, got {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{owner}: {prop} must be a finite number, got {shown(value)}")
