"""The model's ``pattern`` constraints (Java regular expressions) as Python ``re`` patterns.

AWS checks a string against its pattern with Java's ``Matcher.matches()``: the whole value must match, and
``\\w``, ``\\d``, ``\\s`` are ASCII-only. Python's ``re`` reads the model's patterns the same way once they
are compiled with ``re.ASCII`` and used with ``fullmatch``, except for one construct: Unicode category
escapes (``\\p{L}``, ``\\p{Z}``, ``\\p{N}``, used by the tag patterns), which ``re`` does not know.
:func:`compile_model_pattern` translates them into explicit code-point ranges taken from ``unicodedata``
(computed once per category, about 0.2 s for the first one). Any other Java-only construct makes
compilation fail loudly (a test compiles every pattern of the model).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

_CATEGORY_ESCAPE = re.compile(r"\\p\{([A-Z][a-z]?)\}")


@functools.cache
def _category_ranges(category: str) -> str:
    """Code points of a Unicode general category (``L``) or subcategory (``Lu``) as class ranges."""
    width = len(category)
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[:width] == category:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    if not ranges:
        raise ValueError(f"unknown Unicode category \\p{{{category}}}")
    return "".join(_escape(lo) if lo == hi else f"{_escape(lo)}-{_escape(hi)}" for lo, hi in ranges)


def _escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def translate_java_pattern(pattern: str) -> str:
    """``pattern`` with Java's ``\\p{Category}`` escapes replaced by ranges ``re`` understands.

    Inside a character class the ranges are spliced into the class; outside one they become a class of
    their own. Negated category escapes (``\\P{...}``) and named properties (``\\p{Alpha}``) are not used
    by the model and raise ``ValueError``.
    """
    if "\\p" not in pattern and "\\P" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = _CATEGORY_ESCAPE.match(pattern, i)
            if escape is not None:
                ranges = _category_ranges(escape.group(1))
                out.append(ranges if in_class else f"[{ranges}]")
                i = escape.end()
                continue
            if pattern.startswith(("\\p", "\\P"), i):
                raise ValueError(f"unsupported Java property escape in pattern {pattern!r}")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


@functools.cache
def compile_model_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` from the service model compiled for ``fullmatch`` with Java's ASCII semantics."""
    return re.compile(translate_java_pattern(pattern), re.ASCII)
