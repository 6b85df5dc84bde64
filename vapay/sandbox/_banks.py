"""The banks a virtual account can be opened at, with their amount limits and fees."""

from __future__ import annotations

from decimal import Decimal

import attrs

from vapay.sandbox._records import BankRecord, VirtualAccountRecord


@attrs.frozen(kw_only=True)
class BankTerms:
    """What the gateway applies per bank: the payer-facing bank object, limits, fee."""

    record: BankRecord
    min_amount: Decimal
    max_amount: Decimal
    fee: Decimal

    @property
    def fee_name(self) -> str:
        """The `fees.name` of a payment row ("BRI Virtual Account")."""
        return f"{self.record.short_name} Virtual Account"


def _terms(short_name: str, number: str, swift: str, maximum: int, fee: int) -> BankTerms:
    return BankTerms(
        record=BankRecord(short_name=short_name, number=number, swift_code=swift),
        # Every bank MONEY-IN.md gives limits for starts at 10,000 IDR.
        min_amount=Decimal(10_000),
        max_amount=Decimal(maximum),
        fee=Decimal(fee),
    )


# The bank codes the gateway's sandbox accepts (MONEY-IN.md §1). The limits of BCA,
# BNI, BRI and MANDIRI are documented; the others' 100,000,000 is the sandbox's choice,
# as are the fees (BRI's 4,500 and Maybank's 1,500 are the documented examples).
BANK_TERMS: dict[str, BankTerms] = {
    "BRI": _terms("BRI", "002", "BRINIDJA", 250_000_000, 4_500),
    "BCA": _terms("BCA", "014", "CENAIDJA", 20_000_000, 4_000),
    "BNI": _terms("BNI", "009", "BNINIDJA", 250_000_000, 4_000),
    "MANDIRI": _terms("MANDIRI", "008", "BMRIIDJA", 100_000_000, 4_000),
    "PERMATA": _terms("PERMATA", "013", "BBBAIDJA", 100_000_000, 3_500),
    "MAYBANK": _terms("Maybank", "016", "IBBKIDJA", 100_000_000, 1_500),
    "CIMB": _terms("CIMB", "022", "BNIAIDJA", 100_000_000, 3_000),
    "BSI": _terms("BSI", "451", "BSMDIDJA", 100_000_000, 4_000),
    "MUAMALAT": _terms("MUAMALAT", "147", "MUABIDJA", 100_000_000, 3_000),
    "BNC": _terms("BNC", "490", "YUDBIDJ1", 100_000_000, 2_500),
    "OCBC": _terms("OCBC", "028", "NISPIDJA", 100_000_000, 3_000),
    "DANAMON": _terms("DANAMON", "011", "BDINIDJA", 100_000_000, 3_000),
}
BANK_CODES = tuple(BANK_TERMS)


def bank_code_of(va: VirtualAccountRecord) -> str:
    """The bank code of a virtual account: from its `code` (`VA_BRI`), else `bank_code`."""
    if va.code is not None and va.code.startswith("VA_"):
        return va.code.removeprefix("VA_")
    if va.bank_code is None:  # every seeded or created VA has one of the two
        raise ValueError(f"virtual account {va.id} has no bank")
    return va.bank_code
