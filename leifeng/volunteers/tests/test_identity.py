from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leifeng.volunteers.identity import (
    DocumentType,
    IdentityError,
    age_on,
    check_char,
    parse_document,
    upgrade_15,
)

TODAY = date(2026, 11, 28)
ID = DocumentType.RESIDENT_ID


def parse(number, document_type=ID, **kwargs):
    return parse_document(document_type, number, today=TODAY, **kwargs)


def rejected(number, document_type=ID, **kwargs) -> IdentityError:
    with pytest.raises(IdentityError) as exc:
        parse(number, document_type, **kwargs)
    return exc.value


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "2"),
        ("440524188001010014", date(1880, 1, 1), "1"),
    ],
)
def test_the_official_examples_are_valid(number, born, sex):
    identity = parse(number)
    assert (identity.number, identity.birth_date, identity.sex) == (number, born, sex)


@pytest.mark.parametrize(
    "number", ["11010519491231002x", "11010519491231002Ｘ", " 110105 19491231002X "]
)
def test_lower_case_and_full_width_x_are_normalised(number):
    assert parse(number).number == "11010519491231002X"


def test_a_wrong_check_character_is_named():
    error = rejected("110105194912310021")
    assert error.code == "check"
    assert "校验" in error.message or "check" in error.message


@pytest.mark.parametrize(
    "number", ["110105194902300028", "110105194913010020", "110105194900000020"]
)
def test_impossible_dates_are_refused(number):
    first17 = number[:17]
    assert rejected(first17 + check_char(first17)).code == "bad_date"


def test_a_future_birth_date_is_refused():
    first17 = "14052520301231001"
    assert rejected(first17 + check_char(first17)).code == "future_date"


def test_old_address_codes_stay_valid():
    first17 = "14250219800101001"  # an address code retired long ago
    assert parse(first17 + check_char(first17)).birth_date == date(1980, 1, 1)


def test_15_digit_numbers_only_in_imports_and_upgraded():
    assert rejected("110105491231002").code == "legacy_15"
    assert parse("110105491231002", allow_15=True).number == "11010519491231002X"
    assert upgrade_15("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize("length", [17, 19])
def test_wrong_lengths_say_how_long(length):
    error = rejected("1" * length)
    assert error.code == "length"
    assert str(length) in error.message


def test_residence_permits_need_their_area_codes():
    first17 = "81000019900101001"
    permit = first17 + check_char(first17)
    assert parse(permit, DocumentType.RESIDENCE_PERMIT).birth_date == date(1990, 1, 1)
    assert rejected(permit).code == "wrong_type"
    assert rejected("11010519491231002X", DocumentType.RESIDENCE_PERMIT).code == "area"


def test_permanent_residence_cards_2023_and_2017():
    first17 = "93310019900101001"
    assert parse(first17 + check_char(first17), DocumentType.PERMANENT_RESIDENCE).birth_date is None
    assert (
        rejected(
            first17 + "0" if check_char(first17) != "0" else first17 + "1",
            DocumentType.PERMANENT_RESIDENCE,
        ).code
        == "check"
    )
    assert parse("USA310090010101", DocumentType.PERMANENT_RESIDENCE).number == "USA310090010101"
    assert rejected("13310019900101001X", DocumentType.PERMANENT_RESIDENCE).code == "format"


@pytest.mark.parametrize(
    ("document_type", "good", "bad"),
    [
        (DocumentType.HK_MACAO_PASS, "H12345678", "X12345678"),
        (DocumentType.TAIWAN_PASS, "12345678", "1234567"),
        (DocumentType.PASSPORT, "E12345678", "E1"),
    ],
)
def test_other_documents_are_checked_loosely(document_type, good, bad):
    assert parse(good, document_type).number == good
    assert rejected(bad, document_type).code == "format"


def test_an_empty_number_and_unknown_type_are_refused():
    assert rejected("").code == "required"
    assert rejected("12345678", "999").code == "document_type"


def test_age_counts_birthdays():
    assert age_on(date(2012, 11, 29), TODAY) == 13
    assert age_on(date(2012, 11, 28), TODAY) == 14


valid_numbers = st.builds(
    lambda area, born, seq: (lambda f: f + check_char(f))(f"{area}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["140502", "140525", "110105", "440524"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(valid_numbers)
def test_generated_valid_numbers_parse(number):
    assert parse(number).number == number


@given(valid_numbers, st.integers(0, 17), st.integers(1, 9))
def test_changing_any_one_character_is_rejected(number, position, shift):
    chars = "0123456789X" if position == 17 else "0123456789"
    changed = chars[(chars.index(number[position]) + shift) % len(chars)]
    mutated = number[:position] + changed + number[position + 1 :]
    with pytest.raises(IdentityError):
        parse(mutated)
