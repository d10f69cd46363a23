"""Screening hints: IINs, phones, e-mails, documents, cards and links are found; masking is exact.

The word lists and insults are tested in test_screening_lists.py.
"""

import random

import pytest

from app.extensions import db
from app.moderation.screening import (
    MASK_CHAR,
    Finding,
    Screening,
    count_links,
    find_bank_cards,
    find_emails,
    find_id_cards,
    find_iins,
    find_passports,
    find_phones,
    is_valid_card_number,
    is_valid_iin,
    mask_personal_data,
    screen,
)

# --- IIN -----------------------------------------------------------------------------------------------------


def check_digit(first11: str) -> int | None:
    """Compute the 12th digit independently of the module under test; None when no number is valid."""
    values = [int(char) for char in first11]
    check = sum(weight * value for weight, value in zip(range(1, 12), values, strict=True)) % 11
    if check == 10:
        check = sum(weight * value for weight, value in zip((3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), values, strict=True))
        check %= 11
    return None if check == 10 else check


def valid_iins(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    iins: list[str] = []
    while len(iins) < count:
        first11 = "".join(rng.choice("0123456789") for _ in range(11))
        check = check_digit(first11)
        if check is not None:
            iins.append(f"{first11}{check}")
    return iins


def invalid_iins(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    numbers = []
    for _ in range(count):
        first11 = "".join(rng.choice("0123456789") for _ in range(11))
        check = check_digit(first11)
        numbers.append(first11 + rng.choice([digit for digit in "0123456789" if digit != str(check)]))
    return numbers


IIN_SENTENCES = [
    "Мой ИИН {} прошу учесть при рассмотрении.",
    "ЖСН: {}",
    "ЖСН {}, Алматы қаласы.",
    "Заявитель (ИИН {}) возражает против статьи 5.",
    "{} — мой ИИН.",
    "ИИН:{}.",
    "Менің ЖСН-ім {} екенін растаймын",
    "БИН ТОО «Береке» {}; директор",
    "Reference IIN {}, see attachment",
    "«{}»",
]
# Seeded, so every run checks the same numbers.
VALID = valid_iins(1000, seed=20261123)
INVALID = invalid_iins(1000, seed=1123)


def test_reference_check_digit_agrees():
    assert all(is_valid_iin(iin) for iin in VALID)
    assert not any(is_valid_iin(number) for number in INVALID)


def test_every_valid_iin_is_found_inside_a_sentence():
    missed = []
    for index, iin in enumerate(VALID):
        sentence = IIN_SENTENCES[index % len(IIN_SENTENCES)].format(iin)
        found = find_iins(sentence)
        if [finding.text for finding in found] != [iin] or sentence[found[0].start : found[0].end] != iin:
            missed.append(sentence)
    assert missed == []


def test_a_twelve_digit_iin_is_never_a_phone():
    # IINs of people born in the 1970s and 80s start with 7 or 8, like Kazakh phone numbers.
    assert all(find_phones(f"ИИН {iin} прошу учесть") == [] for iin in VALID)


def test_no_number_with_a_wrong_check_digit_is_found():
    found = [number for number in INVALID if find_iins(f"Мой ИИН {number} прошу учесть")]
    assert found == []


# Birth date, then the century-and-sex digit (3/4: a man/woman born in the 1900s, 5/6: in the 2000s); the last
# two are company BINs, which share the check digit.
@pytest.mark.parametrize(
    "number",
    ["900101300126", "851205400129", "020630600018", "750307300450", "880428450319", "971240001315", "940140000385"],
)
def test_real_format_iins_and_bins(number):
    assert is_valid_iin(number)
    assert find_iins(f"ИИН/БИН {number}") == [Finding("iin", 8, 20, number)]


@pytest.mark.parametrize(
    "value", ["", "90010130012", "9001013001260", "90010130012a", "９００１０１３００１２６", "٩٠٠١٠١٣٠٠١٢٦"]
)
def test_is_valid_iin_rejects_what_is_not_twelve_ascii_digits(value):
    assert not is_valid_iin(value)


def test_an_iin_whose_both_weightings_give_ten_is_invalid():
    rng = random.Random(5)
    first11 = "0" * 11
    while check_digit(first11) is not None:
        first11 = "".join(rng.choice("0123456789") for _ in range(11))
    assert not any(is_valid_iin(first11 + digit) for digit in "0123456789")


@pytest.mark.parametrize(
    "template",
    ["{0}{1} {2}{3}", "{0}{1}-{2}{3}", "{0} {1}{2} {3}", "{0}-{1}{2}-{3}", "{0}\u00a0{1}{2}\u00a0{3}"],
    ids=["6+6 space", "6+6 dash", "4+4+4 space", "4+4+4 dash", "4+4+4 nbsp"],
)
def test_grouped_forms_are_found(template):
    for iin in VALID[:100]:
        parts = iin[:4], iin[4:6], iin[6:8], iin[8:]
        grouped = template.format(*parts)
        found = find_iins(f"ЖСН: {grouped}, рахмет")
        assert [finding.text for finding in found] == [grouped]


@pytest.mark.parametrize(
    "text",
    [
        "{0}5",  # 13 digits
        "5{0}",  # 13 digits
        "ИИН {1} указан не полностью",  # 11 digits
        "{3} {4} {5} {2}",  # 4+4+4 inside a 16-digit card number
        "{6} {7}",  # 5+7 is not a grouping anyone uses for an IIN
        "+{0}",  # an international phone number
        "{3} {4}  {5}",  # two spaces
    ],
)
def test_runs_that_are_not_iins(text):
    iin = VALID[0]
    parts = [iin, iin[:11], "4400", iin[:4], iin[4:8], iin[8:], iin[:5], iin[5:]]
    assert find_iins(text.format(*parts)) == []


def test_a_contiguous_iin_next_to_another_number_is_still_found():
    # Twelve digits in a row are unambiguous; only the grouped forms need to stand apart from other groups.
    assert [finding.text for finding in find_iins(f"кв. 12 {VALID[0]} 5 этаж")] == [VALID[0]]


def test_several_iins_in_one_text():
    text = f"Я {VALID[1]}, супруга {VALID[2][:6]} {VALID[2][6:]}, сын {VALID[3]}."
    assert [finding.text for finding in find_iins(text)] == [VALID[1], f"{VALID[2][:6]} {VALID[2][6:]}", VALID[3]]


# --- phones ----------------------------------------------------------------------------------------------------

PHONES = [
    "+7 701 123 45 67",
    "8 (701) 123-45-67",
    "87011234567",
    "+77011234567",
    "+7(727)2501234",
    "+7 (727) 250-12-34",
    "8 (7172) 12-34-56",
    "8 7172 123 456",
    "+7 72138 2 12 34",
    "7 701 123 45 67",
    "77011234567",
    "8-701-123-45-67",
    "+7 701 123 4567",
    "701 123 45 67",
    "(747) 123-45-67",
    "8\u00a0701\u00a0123\u00a045\u00a067",
    "+7 495 123-45-67",
    "+44 20 7946 0958",
    "+1 (202) 555-0173",
    "+380441234567",
    "+49 30 123456789",
    "+996 555 123 456",
]


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("template", ["Звоните: {}, спасибо.", "{}", "тел.{}", "Телефоным ({}) жазыңыз", "call {}."])
def test_phones_are_found(phone, template):
    text = template.format(phone)
    start = text.index(phone)
    assert find_phones(text) == [Finding("phone", start, start + len(phone), phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Закон вступает в силу в 2026 году.",
        "Статья 5-1 дополняется пунктом 3.",
        "Срок до 23.11.2026 включительно.",
        "Штраф 1 000 000 тенге.",
        "Бюджет — 87 000 000 000 тенге.",
        "Выделено 8 770 500 000 тенге.",
        "Выделено 770 500 000 000 тенге.",
        "Увеличить на +10 000 000 000 тенге.",
        "Сумма 7705000000 тенге.",
        "Закон № 123-VI от 12.05.2024 № 77-VIII.",
        "Пункт 8 статьи 701 Кодекса.",
        "Карта 1234 5678 9012 3456.",
        "Неполный номер 8 701 123 45.",
        "Неполный номер +7 701 12.",
        "Рост на +5% и 10-15 дней.",
        "Бесплатный номер 1414.",
        "ИНН 7701123456, ОГРН 1027700132195.",
        "Ставка 0,12 процента; коэффициент 1.25.",
        "Диапазон 2019–2026 годов.",
        "Ссылка https://adilet.zan.kz/rus/docs/K950001000_",
    ],
)
def test_numbers_that_are_not_phones(text):
    assert find_phones(text) == []


def test_the_greedy_international_match_is_trimmed_to_fifteen_digits():
    assert [finding.text for finding in find_phones("+44 20 7946 0958 2026 1234")] == ["+44 20 7946 0958"]


def test_a_kazakh_number_right_after_an_international_one_is_found():
    text = "+44 20 7946 0958 701 123 45 67 и +1 202 555 0173 87011234567"
    expected = ["+44 20 7946 0958", "701 123 45 67", "+1 202 555 0173", "87011234567"]
    assert [finding.text for finding in find_phones(text)] == expected


def test_two_phones_in_one_text():
    text = "Мобильный +7 701 123 45 67, рабочий 8 (7172) 55-66-77."
    assert [finding.text for finding in find_phones(text)] == ["+7 701 123 45 67", "8 (7172) 55-66-77"]


# --- e-mail ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("Пишите на ivan.petrov@mail.kz.", ["ivan.petrov@mail.kz"]),
        ("a_b+tag@gov.kz", ["a_b+tag@gov.kz"]),
        ("Info@Example.COM", ["Info@Example.COM"]),
        ("user@sub.domain.co.uk, x@a-b.kz", ["user@sub.domain.co.uk", "x@a-b.kz"]),
        ("Мекенжай: test@почта.қаз", ["test@почта.қаз"]),
        ("(mail: abc@x.kz)", ["abc@x.kz"]),
        ("@username, спасибо", []),
        ("cc @akimat.almaty и @zan_kz", []),
        ("user@localhost", []),
        ("me@@x.kz", []),
        ("john@doe", []),
        ("a.@x.kz", []),
        ("Сумма 100@200.30", []),
    ],
)
def test_emails(text, emails):
    assert [finding.text for finding in find_emails(text)] == emails


def test_email_spans_point_into_the_text():
    text = "Мой адрес — ivan@mail.kz, звоните"
    (finding,) = find_emails(text)
    assert text[finding.start : finding.end] == "ivan@mail.kz" and finding.kind == "email"


# --- links -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Без ссылок, см. adilet.zan.kz", 0),
        ("Источник: https://adilet.zan.kz/rus/docs/K950001000_", 1),
        ("http://a.kz и https://b.kz/x?y=1#z", 2),
        ("HTTPS://EXAMPLE.COM", 1),
        ("www.egov.kz и www.gov.kz/memleket", 2),
        ("[закон](https://adilet.zan.kz/rus)", 1),
        ("[закон](https://adilet.zan.kz/rus) и [портал](www.egov.kz) и https://x.kz", 3),
        ("(https://x.kz) [https://y.kz](https://y.kz)", 2),
        ("http://www.egov.kz", 1),
        ("почта www@x.kz", 0),
    ],
)
def test_count_links(text, count):
    assert count_links(text) == count


# --- passports, identity cards, bank cards ------------------------------------------------------------------


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit, computed independently of the module under test."""
    total = 0
    for index, char in enumerate(reversed(prefix + "0")):
        value = int(char) * (2 if index % 2 else 1)
        total += value // 10 + value % 10
    return prefix + str((10 - total % 10) % 10)


def random_cards(count: int, length: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        luhn_complete(rng.choice("2345") + "".join(rng.choice("0123456789") for _ in range(length - 2)))
        for _ in range(count)
    ]


CARDS = random_cards(300, 16, seed=2026)
# The last digit moved by one: the Luhn check then always fails.
BAD_CARDS = [card[:-1] + str((int(card[-1]) + 1) % 10) for card in CARDS]


def grouped(card: str, sep: str = " ") -> str:
    return sep.join(card[i : i + 4] for i in range(0, len(card), 4))


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111111111111111",
        "4111-1111-1111-1111",
        "5500\u00a00000\u00a00000\u00a00004",
        "3782 822463 10005",  # American Express, 4+6+5
        "3056 930902 5904",  # Diners Club, 4+6+4
        "6011000990139424",
        "2200 0000 0000 0004",  # Mir
        "4000 0566 5566 5556",
    ],
)
@pytest.mark.parametrize("template", ["Моя карта {}, переведите", "Карта нөмірі: {}.", "card {}", "{}"])
def test_bank_cards_are_found(card, template):
    text = template.format(card)
    start = text.index(card)
    assert find_bank_cards(text) == [Finding("bank_card", start, start + len(card), card)]
    assert screen(text).hints == ["bank_card"]


def test_every_valid_card_is_found_and_no_invalid_one():
    assert all(is_valid_card_number(card) for card in CARDS)
    assert not any(is_valid_card_number(card) for card in BAD_CARDS)
    for card, bad in zip(CARDS, BAD_CARDS, strict=True):
        for shown in (card, grouped(card), grouped(card, "-")):
            assert [finding.text for finding in find_bank_cards(f"Карта {shown} спасибо")] == [shown]
        for shown in (bad, grouped(bad), grouped(bad, "-")):
            assert find_bank_cards(f"Карта {shown} спасибо") == []


def test_nineteen_and_thirteen_digit_cards():
    long_card, short_card = random_cards(1, 19, seed=1)[0], random_cards(1, 13, seed=2)[0]
    shown = f"{grouped(long_card[:16])} {long_card[16:]}"
    assert [finding.text for finding in find_bank_cards(f"карта {shown}")] == [shown]
    assert [finding.text for finding in find_bank_cards(f"карта {short_card}")] == [short_card]


@pytest.mark.parametrize(
    "text",
    [
        "Карта 1234 5678 9012 3456.",  # fails the Luhn check
        "0000 0000 0000 0000",  # a placeholder, though its Luhn digit is right
        "Бюджет 770 500 000 000 000 тенге.",  # thousands
        "Счет 40702810900000012345 в банке.",  # 20 digits
        "ОГРН 1027700132195.",
        "+4111111111111111",  # an international number, not a card
        "4111 1111 1111 1111 12345",  # the card's digits inside a longer grouped number
        "12 4111 1111 1111 1111",
    ],
)
def test_numbers_that_are_not_cards(text):
    assert find_bank_cards(text) == []


def test_an_iin_is_never_also_a_card():
    for iin in VALID[:200]:
        result = screen(f"ИИН {iin}, карта жоқ")
        assert result.hints == ["iin"] and result.bank_cards == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Мой паспорт N12345678, выдан МВД.", "N12345678"),
        ("Төлқұжатымның нөмірі N 09876543", "N 09876543"),
        ("N 12345678 — номер моего паспорта", "N 12345678"),
        ("My passport number is N11223344.", "N11223344"),
        ("N12345678", "N12345678"),  # the Kazakh shape run together is enough on its own
        ("Паспорт РФ серии 45 12 номер 345678", "345678"),
        ("паспорт 4512 345678, выдан ОВД", "4512 345678"),
        ("Passport AB1234567 (Uzbekistan)", "AB1234567"),
        ("толкужат N00123456", "N00123456"),  # typed without Kazakh letters
    ],
)
def test_passports_are_found(text, number):
    start = text.index(number)
    assert find_passports(text) == [Finding("passport", start, start + len(number), number)]
    assert "passport" in screen(text).hints


@pytest.mark.parametrize(
    "text",
    [
        "Закон от 15 мая 2007 года N 12345678.",  # a Latin N for № without the word
        "Сумма 4512345678 тенге.",
        "Паспорт выдан 12.05.2015 года.",
        "Паспорт сделки. " + "Длинная оговорка без номеров, " * 3 + "итого 1234567.",  # too far from the word
        "№12345678 от 01.01.2020",
        "XN12345678",
    ],
)
def test_numbers_that_are_not_passports(text):
    assert find_passports(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Удостоверение личности № 012345678 выдано МВД РК.", "012345678"),
        ("уд. личности 041234567", "041234567"),
        ("Жеке куәлік нөмірі 045678912", "045678912"),
        ("Жеке куәлігімнің нөмірі: 045678912, берілген күні 2020", "045678912"),
        ("жеке куалик 045678912", "045678912"),  # typed without Kazakh letters
        ("ID card 012345678", "012345678"),
        ("My identity card no. 012345678", "012345678"),
        ("045678912 — нөмірі жеке куәлігімнің", "045678912"),  # the word after the number
    ],
)
def test_id_cards_are_found(text, number):
    start = text.index(number)
    assert find_id_cards(text) == [Finding("id_card", start, start + len(number), number)]
    assert screen(text).hints == ["id_card"]


@pytest.mark.parametrize(
    "text",
    [
        "Номер заявки 012345678.",  # nine digits without the word
        "Удостоверение выдается в течение 10 рабочих дней.",
        "Удостоверение личности, ИИН 900101300126.",  # an IIN, not a card number
        "Удостоверение личности. " + "Прочие сведения указаны ниже подробно, " * 2 + "код 012345678.",
        "удостоверение № 0123456789",  # ten digits
    ],
)
def test_numbers_that_are_not_id_cards(text):
    assert find_id_cards(text) == []
    assert "id_card" not in screen(text).hints


# --- screen, hints and masking ---------------------------------------------------------------------------------


def test_hints_are_in_a_stable_order():
    finding = Finding("x", 0, 1, "x")
    everything = Screening(
        links=2, profanity=["сука"], iins=[finding], phones=[finding], emails=[finding],
        passports=[finding], id_cards=[finding], bank_cards=[finding],
    )  # fmt: skip
    assert everything.hints == ["links", "profanity", "iin", "phone", "email", "passport", "id_card", "bank_card"]
    assert everything.personal_data
    assert Screening(links=1, profanity=[], iins=[], phones=[], emails=[finding]).hints == ["email"]
    only_card = Screening(links=0, profanity=[], iins=[], phones=[], emails=[], bank_cards=[finding])
    assert only_card.hints == ["bank_card"] and only_card.personal_data
    nothing = Screening(links=1, profanity=[], iins=[], phones=[], emails=[])
    assert nothing.hints == [] and not nothing.personal_data


def test_hints_fit_the_column():
    # CommentScreening.hints is a String(64).
    finding = Finding("x", 0, 1, "x")
    everything = Screening(2, ["x"], [finding], [finding], [finding], [finding], [finding], [finding])
    assert len(",".join(everything.hints)) <= 64


def test_screen_puts_it_together():
    text = (
        f"Идиот! Мой ИИН {VALID[0]}, телефон +7 701 123 45 67, почта ivan@mail.kz. "
        "См. https://adilet.zan.kz и [портал](https://egov.kz)."
    )
    result = screen(text)
    assert result.links == 2
    assert result.profanity == ["идиот"]
    assert [finding.text for finding in result.iins] == [VALID[0]]
    assert [finding.text for finding in result.phones] == ["+7 701 123 45 67"]
    assert [finding.text for finding in result.emails] == ["ivan@mail.kz"]
    assert result.hints == ["links", "profanity", "iin", "phone", "email"]


def test_a_plain_comment_has_no_hints():
    result = screen("Предлагаю изложить пункт 2 статьи 5 в новой редакции: «в течение 10 рабочих дней».")
    assert result.hints == [] and result.links == 0 and not result.personal_data


def assert_masked(text: str) -> str:
    masked = mask_personal_data(text)
    assert len(masked) == len(text)
    found = screen(text)
    spans = [(finding.start, finding.end) for finding in found.findings]
    for position, (before, after) in enumerate(zip(text, masked, strict=True)):
        inside = any(start <= position < end for start, end in spans)
        assert after == (MASK_CHAR if inside else before)
    assert not screen(masked).personal_data
    assert mask_personal_data(masked) == masked
    return masked


def test_mask_personal_data():
    text = f"ИИН {VALID[0]}, тел. 8 (701) 123-45-67, e-mail: ivan@mail.kz; статья 5, 2026 год, 1 000 000 тенге."
    masked = assert_masked(text)
    assert masked == (
        f"ИИН {MASK_CHAR * 12}, тел. {MASK_CHAR * 17}, e-mail: {MASK_CHAR * 12}; статья 5, 2026 год, 1 000 000 тенге."
    )


def test_mask_documents_and_cards():
    text = "Паспорт N12345678, удостоверение № 012345678, карта 4111 1111 1111 1111; статья 5, 2026 год."
    masked = assert_masked(text)
    assert masked == (
        f"Паспорт {MASK_CHAR * 9}, удостоверение № {MASK_CHAR * 9}, карта {MASK_CHAR * 19}; статья 5, 2026 год."
    )


def test_mask_leaves_text_without_personal_data_alone():
    text = "Статья 5-1 от 23.11.2026, № 123-VI, https://adilet.zan.kz, @username, сумма 1 000 000 тенге.\n\tКонец"
    assert mask_personal_data(text) == text


def test_mask_random_texts():
    rng = random.Random(42)
    pieces = [
        lambda: rng.choice(VALID),
        lambda: f"{(iin := rng.choice(VALID))[:6]} {iin[6:]}",
        lambda: rng.choice(PHONES),
        lambda: f"user{rng.randrange(1000)}@mail.kz",
        lambda: rng.choice(INVALID),
        lambda: rng.choice([rng.choice(CARDS), grouped(rng.choice(CARDS)), grouped(rng.choice(BAD_CARDS), "-")]),
        lambda: rng.choice(["паспорт", "N12345678", "N 87654321", "удостоверение", "жеке куәлік", "012345678"]),
        lambda: str(rng.randrange(10**6)),
        lambda: rng.choice(["статья", "закон", "ЖСН", "ИИН:", "тел.", "—", "сука", "https://egov.kz", "\n", "ё"]),
    ]
    for _ in range(300):
        # Run together ("") too: hiding one number must not uncover another that a greedy match had swallowed.
        text = rng.choice([" ", ", ", "; ", "", "-"]).join(rng.choice(pieces)() for _ in range(rng.randrange(1, 12)))
        assert_masked(text)


def test_pathological_inputs_finish():
    # Long runs that a careless pattern would backtrack over quadratically or worse.
    for text in [
        "a" * 20000 + "@",
        "1" * 20000,
        "+1 " * 5000,
        "+1" + " 1" * 10000,
        "8 " * 10000,
        "[" * 5000 + "](",
        "x@" + "a-" * 5000,
    ]:
        screen(text)
        mask_personal_data(text)


def test_document_and_card_hints_reach_the_queue_and_masking(client, as_moderator, article, create_comment):
    card, passport = "4111 1111 1111 1111", "N12345678"
    comment = create_comment(
        article, body=f"Верните деньги на карту {card}, паспорт {passport}. Срок мал.", state="pending"
    )
    html = client.get("/en/moderation/pending").get_data(as_text=True)
    assert "a bank card number" in html and "a passport number" in html
    client.post(
        f"/en/moderation/comments/{comment.id}/decide", data={"action": "publish_masked", "version": comment.version}
    )
    db.session.refresh(comment)
    assert comment.state == "approved" and "Срок мал." in comment.body
    assert card not in comment.body and passport not in comment.body and card in comment.original_body
