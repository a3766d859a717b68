import pytest

from openasc.core import nhs_number


@pytest.mark.parametrize(
    "number", ["9434765919", "6541003238", "4010232137", "9434765870", "943 476 5919", "943-476-5919"]
)
def test_valid_numbers_from_the_specification(number):
    assert nhs_number.validate(number) == nhs_number.normalise(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("9434765918", "check digit is wrong"),
        ("1234567890", "check digit is wrong"),  # the check digit would be 10: never issued
        ("0000000000", "never issued"),
        ("1111111111", "never issued"),
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347659A9", "only numbers"),
        ("", "Enter an NHS number"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number, message):
    with pytest.raises(nhs_number.InvalidNhsNumber, match=message):
        nhs_number.validate(number)


def test_check_digit_eleven_becomes_zero():
    # 943476587: weighted sum 308, 308 mod 11 = 0, 11 - 0 = 11 -> 0
    assert nhs_number.check_digit("943476587") == 0


def test_check_digit_ten_is_never_issued():
    assert nhs_number.check_digit("123456789") is None


def test_display_groups_three_three_four():
    assert nhs_number.display("9434765919") == "943 476 5919"
    assert nhs_number.display("") == ""
