"""Identity documents: the rules of DOMAIN.md §7, as pure functions.

Every rejection raises IdentityError with a Chinese message that says exactly what is wrong.
Birth date and sex come from the number where the document carries them (居民身份证 and
港澳台居民居住证), so they are never asked twice.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# GB 11643 / ISO 7064 MOD 11-2
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
RESIDENCE_PERMIT_AREAS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


class DocumentType(models.TextChoices):
    """Codes after GA/T 2000.156 常用证件代码 (DOMAIN.md §3, to be confirmed)."""

    RESIDENT_ID = "111", gettext_lazy("Resident identity card")
    RESIDENCE_PERMIT = (
        "990",
        gettext_lazy("Residence permit for Hong Kong, Macao and Taiwan residents"),
    )
    HK_MACAO_PASS = "516", gettext_lazy("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN_PASS = "511", gettext_lazy("Mainland travel permit for Taiwan residents")
    PASSPORT = "414", gettext_lazy("Passport")
    PERMANENT_RESIDENCE = "553", gettext_lazy("Foreigner's permanent residence ID card")


class IdentityError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Identity:
    document_type: str
    number: str  # normalised; 15-digit numbers upgraded to 18
    birth_date: date | None = None
    sex: str = ""  # GB/T 2261.1: "1" male, "2" female; "" when the document does not say


def normalise(number: str) -> str:
    """Full-width characters to half-width, spaces removed, letters upper-case (x → X)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or "")).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth_date(text: str, *, today: date) -> date:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdentityError(
            _("The birth date %(text)s in the number is not a real date.") % {"text": text},
            "bad_date",
        ) from None
    if born > today:
        raise IdentityError(_("The birth date in the number is in the future."), "future_date")
    return born


def upgrade_15(number: str) -> str:
    """A 1989 15-digit number as its 18-digit form: century 19 inserted, check added."""
    first17 = f"{number[:6]}19{number[6:]}"
    return first17 + check_char(first17)


def parse_citizen_number(
    number: str, *, today: date, allow_15: bool = False
) -> tuple[str, date, str]:
    """Check a 公民身份号码 (GB 11643); return (18-digit number, birth date, sex)."""
    number = normalise(number)
    if len(number) == 15:
        if not allow_15:
            raise IdentityError(
                _("15-digit numbers are no longer in use; please enter the 18-digit number."),
                "legacy_15",
            )
        if not number.isdigit():
            raise IdentityError(_("A 15-digit number has digits only."), "format")
        _birth_date(f"19{number[6:12]}", today=today)
        number = upgrade_15(number)
    if len(number) != 18:
        raise IdentityError(
            _("An identity number has 18 characters; this one has %(count)d.")
            % {"count": len(number)},
            "length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError(
            _("The first 17 characters must be digits and the last a digit or X."), "format"
        )
    born = _birth_date(number[6:14], today=today)
    if number[17] != check_char(number[:17]):
        raise IdentityError(
            _("The check character (the last one) is wrong: please check the number."), "check"
        )
    sex = "1" if int(number[16]) % 2 else "2"
    return number, born, sex


def parse_document(
    document_type: str, number: str, *, today: date, allow_15: bool = False
) -> Identity:
    """Validate `number` for its document type and derive what the document carries."""
    raw = normalise(number)
    if not raw:
        raise IdentityError(_("Enter the document number."), "required")
    if document_type == DocumentType.RESIDENT_ID:
        if raw[:6] in RESIDENCE_PERMIT_AREAS:
            raise IdentityError(
                _(
                    "This is a residence permit number; choose the residence permit as the "
                    "document type."
                ),
                "wrong_type",
            )
        full, born, sex = parse_citizen_number(raw, today=today, allow_15=allow_15)
        return Identity(document_type, full, born, sex)
    if document_type == DocumentType.RESIDENCE_PERMIT:
        if raw[:6] not in RESIDENCE_PERMIT_AREAS:
            raise IdentityError(
                _("A residence permit number starts with 810000, 820000 or 830000."), "area"
            )
        full, born, sex = parse_citizen_number(raw, today=today)
        return Identity(document_type, full, born, sex)
    if document_type == DocumentType.PERMANENT_RESIDENCE:
        if len(raw) == 18:  # the 2023 card: 17 digits and a MOD 11-2 check, starting with 9
            if not raw.startswith("9") or not raw[:17].isdigit():
                raise IdentityError(
                    _(
                        "An 18-character permanent residence card number starts with 9 and has "
                        "digits."
                    ),
                    "format",
                )
            if raw[17] != check_char(raw[:17]):
                raise IdentityError(
                    _("The check character (the last one) is wrong: please check the number."),
                    "check",
                )
            return Identity(document_type, raw)
        if re.fullmatch(r"[A-Z]{3}\d{12}", raw):  # the 2017 card
            return Identity(document_type, raw)
        raise IdentityError(
            _(
                "A permanent residence card number has 18 digits (from 2023) or 3 letters and 12 "
                "digits."
            ),
            "format",
        )
    if document_type == DocumentType.HK_MACAO_PASS:
        if not re.fullmatch(r"[HM]\d{8}(\d{2})?", raw):
            raise IdentityError(
                _(
                    "A Hong Kong or Macao travel permit number is H or M followed by 8 or 10 "
                    "digits."
                ),
                "format",
            )
        return Identity(document_type, raw)
    if document_type == DocumentType.TAIWAN_PASS:
        if not re.fullmatch(r"\d{8}(\d{2})?", raw):
            raise IdentityError(_("A Taiwan travel permit number has 8 or 10 digits."), "format")
        return Identity(document_type, raw)
    if document_type == DocumentType.PASSPORT:
        if not re.fullmatch(r"[A-Z0-9]{5,20}", raw):
            raise IdentityError(_("A passport number has 5 to 20 letters and digits."), "format")
        return Identity(document_type, raw)
    raise IdentityError(_("Choose a document type from the list."), "document_type")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
