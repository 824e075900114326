"""Amounts of money as participants read them, the same on the server as in the game's script.

Pure module (no Django). The script formats with ``Intl.NumberFormat("en", {style: "currency"})``;
this mirrors its English output for the currencies studies use, so the first paint (server) and
every later update (browser) read alike: ``$0.05``, ``€1.20``, ``£3.00``, ``CHF 0.05``.
"""

from __future__ import annotations

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "INR": "₹", "CNY": "CN¥"}


def format_money(amount: float, currency: str) -> str:
    """``amount`` with two decimals and the currency's symbol (or its ISO code and a space)."""
    code = (currency or "").upper()
    number = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{code}\u00a0{number}"
