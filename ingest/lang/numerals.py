"""Reading Chinese numerals (第十二条, 二〇二五年, 五十万元) with the tables in numerals.yaml."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ingest.lang import load


@lru_cache(maxsize=8192)
def cn_to_int(text: str) -> int:
    """``十二`` → 12, ``一百二十三`` → 123, ``二〇二五`` → 2025, ``12`` → 12.

    Raises ValueError for text that is not a number, so callers never store a guess.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    table = load("numerals")
    digits, units, big = table["digits"], table["units"], table["big_units"]
    if all(c in digits for c in text):          # digit-by-digit: 二〇二五
        return int("".join(str(digits[c]) for c in text))
    total, section, number = 0, 0, None
    for c in text:
        if c in digits:
            number = digits[c]
        elif c in units:
            section += (1 if number is None else number) * units[c]
            number = None
        elif c in big:
            section += number or 0
            total += (section or 1) * big[c]
            section, number = 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (number or 0)


def money_to_decimal(num: str, unit: str) -> Decimal:
    """``2.5`` + ``亿元`` → 250000000; ``五十`` + ``万元`` → 500000 (yuan)."""
    factor = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}[unit]
    num = num.replace(",", "")
    try:
        value = Decimal(num)
    except InvalidOperation:
        if "点" in num:
            whole, frac = num.split("点", 1)
            digits = load("numerals")["digits"]
            value = Decimal(f"{cn_to_int(whole) if whole else 0}." + "".join(str(digits[c]) for c in frac))
        else:
            value = Decimal(cn_to_int(num))
    return value * factor
