"""NHS number check digit (modulus 11): the tenth digit is derived from the first nine."""


def normalise(value: str) -> str:
    """Staff type NHS numbers as "943 476 5919"; we store the ten digits."""
    return "".join((value or "").split())


def is_valid(value: str) -> bool:
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 means no valid check digit exists for those nine digits.
    return check != 10 and check == int(value[9])
