"""Request validation against the service model: what AWS checks before an operation runs.

boto3 checks only required members, types and ``min`` constraints before sending; ``max``, enums and
patterns are left to the server (``MaxResults=5000``, ``SortBy='BOGUS'`` are sent as they are). The
:class:`RequestValidator` checks all of them with one generic walk over the input shape, compiled once per
shape into a tree of small checkers (a few microseconds per typical request).

Rules, per shape type of the model:

* ``structure``: a JSON object; ``required`` members present; members the model does not know are
  rejected (see below); ``null`` members are rejected (no AWS SDK sends ``null``).
* ``list`` / ``map``: a JSON array / object; ``min``/``max`` bound the number of items.
* ``string``: ``min``/``max`` bound the length in code points; ``enum`` and ``pattern`` (matched against
  the whole value, as AWS's Java validators do) apply. A lone surrogate (the JSON escape ``"\\ud800"``
  without its pair) is not text: no UTF-8 encoding exists for it, so it could name no S3 object, topic or
  token, and it broke every later step that encodes the value (paths, Redis, SNS).
  It is an ``encoding`` violation.
* ``integer`` / ``long``: a JSON integer (not ``true``/``false``, not ``5.0``) within 32 / 64 bits;
  ``min``/``max`` bound the value.
* ``float`` / ``double``: a finite JSON number (integers allowed); ``min``/``max`` bound the value.
* ``boolean``: ``true`` or ``false``.
* ``blob``: a standard base64 string (no line breaks); ``min``/``max`` bound the *decoded* size in bytes.
  :func:`decode_blob` turns a validated value into bytes.
* ``timestamp``: epoch seconds (number) or an ISO 8601 string.

Every problem becomes a :class:`Violation`; :meth:`RequestValidator.validate` raises one
:class:`InvalidParametersError` (an ``InvalidParameterException`` on the wire) listing them in AWS's
``"N validation errors detected: Value '…' at '…' failed to satisfy constraint: …"`` style, with paths in
wire names (``Settings.GeneralLabels.LabelInclusionFilters[0]``).

Unknown members are reported as ``InvalidParameterException`` rather than ``SerializationException``:
boto3 never sends a member its model lacks, so an unknown member is a hand-written client's typo
(``MaxResult``) that should fail loudly, and ``InvalidParameterException`` is modelled for every
Rekognition operation, so SDKs raise a typed, non-retried exception for it.

Image operations may answer ``ImageTooLargeException`` instead, as Rekognition does, for an oversized
``Image.Bytes``: catch :class:`InvalidParametersError` and look for a violation with
``shape == "ImageBlob"`` and ``constraint is Constraint.MAX``.
"""

from __future__ import annotations

import binascii
import datetime as dt
import enum
import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import botocore.model

from api.errors import InvalidParameterException, SerializationException, UnknownOperationException
from api.model_patterns import compile_model_pattern
from api.service_model import operation_model, operation_names

#: At most this many violations are spelled out in the error message (all are kept in ``violations``).
MESSAGE_VIOLATION_LIMIT = 10
#: Values longer than this many characters are cut short when quoted in a message.
QUOTED_VALUE_LIMIT = 100

_INT_BITS = {"integer": 32, "long": 64}


class Constraint(enum.StrEnum):
    """Which rule a value broke."""

    REQUIRED = "required"
    UNKNOWN_MEMBER = "unknown-member"
    TYPE = "type"
    MIN = "min"
    MAX = "max"
    ENUM = "enum"
    PATTERN = "pattern"
    ENCODING = "encoding"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where (``path`` in wire names), which rule, the model shape, and the sentence."""

    path: str
    constraint: Constraint
    shape: str
    message: str


class InvalidParametersError(InvalidParameterException):
    """An ``InvalidParameterException`` that also carries the individual :class:`Violation` s."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        self.violations = violations
        count = len(violations)
        head = f"{count} validation error{'s' if count != 1 else ''} detected: "
        shown = [v.message for v in violations[:MESSAGE_VIOLATION_LIMIT]]
        if count > MESSAGE_VIOLATION_LIMIT:
            shown.append(f"and {count - MESSAGE_VIOLATION_LIMIT} more")
        super().__init__(printable(head + "; ".join(shown)))


def is_unicode_text(value: str) -> bool:
    """Whether ``value`` has a UTF-8 encoding (no lone surrogate); O(1) for ASCII text."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with lone surrogates spelt as ``\\udXXX`` escapes, so it can be logged and shown."""
    return text if is_unicode_text(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def decode_blob(value: str) -> bytes:
    """The bytes of a base64 ``blob`` member (already validated; raises ``binascii.Error`` otherwise)."""
    return binascii.a2b_base64(value, strict_mode=True)


# --- checkers, one per model shape --------------------------------------------------------------------


class _Checker(Protocol):
    def check(self, value: object, path: str, out: list[Violation]) -> None: ...


def _quote(value: object, shape: botocore.model.Shape) -> str:
    if shape.type_name == "blob" or shape.metadata.get("sensitive"):
        return "Value"
    if value is None:
        return "Value null"
    text = value if isinstance(value, str) else json.dumps(value, default=repr)
    if len(text) > QUOTED_VALUE_LIMIT:
        text = text[:QUOTED_VALUE_LIMIT] + "..."
    return f"Value '{text}'"


def _violation(
    value: object, path: str, shape: botocore.model.Shape, constraint: Constraint, rule: str
) -> Violation:
    return Violation(
        path=path,
        constraint=constraint,
        shape=shape.name,
        message=f"{_quote(value, shape)} at '{path}' failed to satisfy constraint: {rule}",
    )


def _bounds(shape: botocore.model.Shape) -> tuple[float | None, float | None]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    return low, high


class _StructureChecker:
    def __init__(self, shape: botocore.model.StructureShape) -> None:
        self.shape = shape
        self.required: tuple[str, ...] = tuple(shape.required_members)
        # Filled by _compile after registration, so that recursive shapes terminate.
        self.members: dict[str, _Checker] = {}
        self.member_shapes: Mapping[str, botocore.model.Shape] = shape.members

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, dict):
            out.append(
                _violation(value, path or "$", self.shape, Constraint.TYPE, "Member must be an object")
            )
            return
        prefix = f"{path}." if path else ""
        for name in self.required:
            if name not in value:
                rule = "Member must not be null"
                out.append(
                    _violation(None, prefix + name, self.member_shapes[name], Constraint.REQUIRED, rule)
                )
        members = self.members
        for name, item in value.items():
            checker = members.get(name)
            member_path = prefix + str(name)
            if checker is None:
                out.append(
                    Violation(
                        path=member_path,
                        constraint=Constraint.UNKNOWN_MEMBER,
                        shape=self.shape.name,
                        message=f"Unknown member '{member_path}': {self.shape.name} has no member "
                        f"named '{name}'",
                    )
                )
            elif item is None:
                constraint = Constraint.REQUIRED if name in self.required else Constraint.TYPE
                rule = "Member must not be null"
                out.append(_violation(None, member_path, self.member_shapes[name], constraint, rule))
            else:
                checker.check(item, member_path, out)


class _ListChecker:
    def __init__(self, shape: botocore.model.ListShape, item: _Checker) -> None:
        self.shape = shape
        self.item = item
        self.low, self.high = _bounds(shape)

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, list):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a list"))
            return
        _check_size(value, len(value), path, self.shape, self.low, self.high, out)
        item = self.item
        for index, element in enumerate(value):
            item.check(element, f"{path}[{index}]", out)


class _MapChecker:
    def __init__(self, shape: botocore.model.MapShape, key: _Checker, item: _Checker) -> None:
        self.shape = shape
        self.key = key
        self.item = item
        self.low, self.high = _bounds(shape)

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, dict):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a map"))
            return
        _check_size(value, len(value), path, self.shape, self.low, self.high, out)
        for key, element in value.items():
            self.key.check(key, f"{path}[{key}] (key)", out)
            self.item.check(element, f"{path}[{key}]", out)


def _check_size(
    value: object,
    size: int,
    path: str,
    shape: botocore.model.Shape,
    low: float | None,
    high: float | None,
    out: list[Violation],
) -> None:
    if low is not None and size < low:
        rule = f"Member must have length greater than or equal to {low}"
        out.append(_violation(value, path, shape, Constraint.MIN, rule))
    if high is not None and size > high:
        rule = f"Member must have length less than or equal to {high}"
        out.append(_violation(value, path, shape, Constraint.MAX, rule))


class _StringChecker:
    def __init__(self, shape: botocore.model.StringShape) -> None:
        self.shape = shape
        self.low, self.high = _bounds(shape)
        self.enum: frozenset[str] = frozenset(shape.enum)
        self.enum_text = ", ".join(shape.enum)
        raw_pattern = shape.metadata.get("pattern")
        self.pattern_text: str = raw_pattern or ""
        self.pattern = compile_model_pattern(raw_pattern) if raw_pattern else None

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, str):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a string"))
            return
        if not is_unicode_text(value):
            rule = "Member must be valid Unicode text (it contains a lone surrogate)"
            out.append(_violation(value, path, self.shape, Constraint.ENCODING, rule))
            return
        _check_size(value, len(value), path, self.shape, self.low, self.high, out)
        if self.enum and value not in self.enum:
            rule = f"Member must satisfy enum value set: [{self.enum_text}]"
            out.append(_violation(value, path, self.shape, Constraint.ENUM, rule))
        if self.pattern is not None and self.pattern.fullmatch(value) is None:
            rule = f"Member must satisfy regular expression pattern: {self.pattern_text}"
            out.append(_violation(value, path, self.shape, Constraint.PATTERN, rule))


class _NumberChecker:
    def __init__(self, shape: botocore.model.Shape) -> None:
        self.shape = shape
        self.low, self.high = _bounds(shape)
        bits = _INT_BITS.get(shape.type_name)
        self.integral = bits is not None
        self.type_rule = "Member must be an integer" if self.integral else "Member must be a number"
        self.int_range = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if bits is not None else None

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, self.type_rule))
            return
        if self.int_range is not None:
            if not isinstance(value, int):
                out.append(_violation(value, path, self.shape, Constraint.TYPE, self.type_rule))
                return
            if not self.int_range[0] <= value <= self.int_range[1]:
                rule = f"Member must fit in a {self.shape.type_name}"
                out.append(_violation(value, path, self.shape, Constraint.TYPE, rule))
                return
        elif not math.isfinite(value):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a finite number"))
            return
        if self.low is not None and value < self.low:
            rule = f"Member must have value greater than or equal to {self.low}"
            out.append(_violation(value, path, self.shape, Constraint.MIN, rule))
        if self.high is not None and value > self.high:
            rule = f"Member must have value less than or equal to {self.high}"
            out.append(_violation(value, path, self.shape, Constraint.MAX, rule))


class _BooleanChecker:
    def __init__(self, shape: botocore.model.Shape) -> None:
        self.shape = shape

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, bool):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a boolean"))


class _BlobChecker:
    def __init__(self, shape: botocore.model.Shape) -> None:
        self.shape = shape
        self.low, self.high = _bounds(shape)

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if not isinstance(value, str):
            out.append(_violation(value, path, self.shape, Constraint.TYPE, "Member must be a base64 string"))
            return
        # Decoded size from the text alone: 3 bytes per 4 characters, minus padding.
        size = len(value) // 4 * 3 - (2 if value.endswith("==") else 1 if value.endswith("=") else 0)
        if self.high is not None and size > self.high:
            # Too big: skip the decode and report only the size, as an oversized image must be cheap.
            rule = f"Member must have length less than or equal to {self.high}"
            out.append(_violation(value, path, self.shape, Constraint.MAX, rule))
            return
        try:
            decode_blob(value)
        except (binascii.Error, ValueError):
            rule = "Member must be valid base64"
            out.append(_violation(value, path, self.shape, Constraint.ENCODING, rule))
            return
        if self.low is not None and size < self.low:
            rule = f"Member must have length greater than or equal to {self.low}"
            out.append(_violation(value, path, self.shape, Constraint.MIN, rule))


class _TimestampChecker:
    def __init__(self, shape: botocore.model.Shape) -> None:
        self.shape = shape

    def check(self, value: object, path: str, out: list[Violation]) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return
        if isinstance(value, str):
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return
        rule = "Member must be epoch seconds or an ISO 8601 timestamp"
        out.append(_violation(value, path, self.shape, Constraint.TYPE, rule))


def _compile(shape: botocore.model.Shape, compiled: dict[str, _Checker]) -> _Checker:
    """The checker of ``shape``, built once per shape name (``compiled`` is the cache)."""
    known = compiled.get(shape.name)
    if known is not None:
        return known
    checker: _Checker
    kind = shape.type_name
    if isinstance(shape, botocore.model.StructureShape):
        structure = _StructureChecker(shape)
        compiled[shape.name] = structure
        structure.members = {name: _compile(member, compiled) for name, member in shape.members.items()}
        return structure
    if isinstance(shape, botocore.model.ListShape):
        checker = _ListChecker(shape, _compile(shape.member, compiled))
    elif isinstance(shape, botocore.model.MapShape):
        checker = _MapChecker(shape, _compile(shape.key, compiled), _compile(shape.value, compiled))
    elif isinstance(shape, botocore.model.StringShape):
        checker = _StringChecker(shape)
    elif kind in ("integer", "long", "float", "double"):
        checker = _NumberChecker(shape)
    elif kind == "boolean":
        checker = _BooleanChecker(shape)
    elif kind == "blob":
        checker = _BlobChecker(shape)
    elif kind == "timestamp":
        checker = _TimestampChecker(shape)
    else:
        raise ValueError(f"shape {shape.name} has unsupported type {kind!r}")
    compiled[shape.name] = checker
    return checker


class RequestValidator:
    """Checks request parameters of any operation against botocore's Rekognition model.

    Checkers are compiled per operation on first use and shared between operations that use the same
    shapes; a validator is safe to share between threads once warm (compilation is idempotent).
    """

    def __init__(self, model: botocore.model.ServiceModel | None = None) -> None:
        """Validate against ``model``; by default botocore's Rekognition model (:mod:`api.service_model`)."""
        self._model = model
        self._shapes: dict[str, _Checker] = {}
        self._operations: dict[str, _Checker | None] = {}
        self._outputs: dict[str, _Checker | None] = {}

    def warm(self) -> None:
        """Compile the checkers of every operation now (about 0.5 s, most of it the Unicode tables of
        the tag patterns) instead of on each operation's first request."""
        names = self._model.operation_names if self._model is not None else operation_names()
        for name in names:
            self._checker(name)

    def _operation_model(self, operation_name: str) -> botocore.model.OperationModel:
        if self._model is None:
            return operation_model(operation_name)
        if operation_name not in self._model.operation_names:
            raise UnknownOperationException(f"Unknown operation {operation_name!r}.")
        return self._model.operation_model(operation_name)

    def _checker(self, operation_name: str) -> _Checker | None:
        try:
            return self._operations[operation_name]
        except KeyError:
            pass
        input_shape = self._operation_model(operation_name).input_shape
        checker = _compile(input_shape, self._shapes) if input_shape is not None else None
        self._operations[operation_name] = checker
        return checker

    def violations(self, operation_name: str, params: object) -> tuple[Violation, ...]:
        """Every rule ``params`` breaks for ``operation_name`` (empty when valid).

        Raises ``UnknownOperationException`` for an operation the model does not have.
        """
        checker = self._checker(operation_name)
        out: list[Violation] = []
        if checker is None:
            if params != {}:
                out.append(
                    Violation(
                        "$", Constraint.UNKNOWN_MEMBER, operation_name, f"{operation_name} takes no input"
                    )
                )
        else:
            checker.check(params, "", out)
        return tuple(out)

    def output_violations(self, operation_name: str, result: object) -> tuple[Violation, ...]:
        """Every rule a response body breaks against the operation's *output* shape.

        For tests and debug checks of handlers (a ``Confidence`` above 100, a misspelt member); the
        server does not run it per request.
        """
        try:
            checker = self._outputs[operation_name]
        except KeyError:
            output_shape = self._operation_model(operation_name).output_shape
            checker = _compile(output_shape, self._shapes) if output_shape is not None else None
            self._outputs[operation_name] = checker
        out: list[Violation] = []
        if checker is not None:
            checker.check(result, "", out)
        return tuple(out)

    def validate(self, operation_name: str, params: object) -> None:
        """Raise :class:`InvalidParametersError` unless ``params`` is valid input for the operation.

        ``params`` that is not a JSON object at all raises ``SerializationException`` (what AWS answers for
        a body it cannot read as the operation's input).
        """
        if not isinstance(params, dict):
            raise SerializationException(
                f"Expected a JSON object as the request body, got {type(params).__name__}."
            )
        found = self.violations(operation_name, params)
        if found:
            raise InvalidParametersError(found)


@functools.cache
def request_validator() -> RequestValidator:
    """The process-wide validator (its compiled checkers are reused by every request)."""
    return RequestValidator()
