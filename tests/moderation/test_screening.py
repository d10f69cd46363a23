"""Screening hints: IINs, phones, e-mails, links and insults are found; legal prose is left alone; masking is exact."""

import random
import re

import pytest

from app.moderation import screening
from app.moderation.screening import (
    MASK_CHAR,
    WORDLIST_DIR,
    WORDLIST_LANGUAGES,
    Finding,
    Screening,
    count_links,
    find_emails,
    find_iins,
    find_phones,
    find_profanity,
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


# --- profanity -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # Russian
        ("Это полный пиздец.", ["пиздец"]),
        ("Идите нахуй со своим законом", ["нахуй"]),
        ("Ёбаный стыд!", ["ебаный"]),
        ("Ты сука и мудак", ["сука", "мудак"]),
        ("Блять, опять налоги", ["блять"]),
        ("БЛЯ!", ["бля"]),
        ("Депутаты — дебилы и уроды", ["дебилы", "уроды"]),
        ("заебали уже", ["заебали"]),
        ("съебись и сьебись", ["съебись", "сьебись"]),
        ("Какая хуйня", ["хуйня"]),
        ("похуисты в акимате", ["похуисты"]),
        ("mudak и blyat", ["mudak", "blyat"]),
        # Kazakh
        ("Сен ақымақсың!", ["ақымақсың"]),
        ("акымак депутат", ["акымак"]),
        ("ОҢБАҒАН шенеунік", ["оңбаған"]),
        ("онбаган", ["онбаган"]),
        ("Иттің баласы!", ["иттің баласы"]),
        ("Шала қазақтар түсінбейді", ["шала қазақтар"]),
        ("мәңгүрттер мен малғұндар", ["мәңгүрттер", "малғұндар"]),
        ("Қаншық", ["қаншық"]),
        ("aqymaq", ["aqymaq"]),
        # English
        ("What the fuck is this", ["fuck"]),
        ("You're an asshole", ["asshole"]),
        ("Bullshit!", ["bullshit"]),
        ("dumbass idiots", ["dumbass", "idiots"]),
        ("son of a bitch", ["bitch"]),
        ("Motherfucking law", ["motherfucking"]),
        # The same word twice counts once, in the order words first appear.
        ("сука, СУКА, идиот, сука, fuck", ["сука", "идиот", "fuck"]),
    ],
)
def test_profanity_is_found(text, words):
    assert find_profanity(text) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("xyй", ["хуй"]),  # Latin x and y in a Cyrillic word
        ("сyка", ["сука"]),  # Latin y
        ("cyka", ["сука"]),  # all Latin look-alikes
        ("xyu", ["хуи"]),
        ("пи3дец", ["пиздец"]),  # 3 for з
        ("6лядь", ["блядь"]),  # 6 for б
        ("п0хуй", ["похуй"]),  # 0 for о
        ("идииот", ["идииот"]),  # a letter repeated
        ("ссуука", ["ссуука"]),
        ("fuuuck", ["fuuuck"]),
        ("asss", ["asss"]),
        ("х\u200bуй", ["хуй"]),  # a zero-width space inside the word
        ("fu\u00adck", ["fuck"]),  # a soft hyphen
        ("fuсk", ["fuck"]),  # Cyrillic с in an English word
        ("ақымaқ", ["ақымақ"]),  # Latin a in a Kazakh word
        ("сiгейiн", ["сигейин"]),  # Latin i for і, typed without a Kazakh layout
        ("ЕБАНЫЙ", ["ебаный"]),
    ],
)
def test_evasions_are_seen_through(text, words):
    assert find_profanity(text) == words


INNOCENT = [
    "Статья 5 настоящего Закона вступает в силу с 1 января 2026 года.",
    "Жауапкершілік туралы бапты толықтыру қажет.",
    "Состав комиссии утверждается Правительством Республики Казахстан.",
    "The assistant to the commissioner shall assess the claim.",
    "A resident of Scunthorpe wrote a classic essay on Essex.",
    "Нагрудная бляха инспектора выдается под роспись; атеросклеротические бляшки.",
    "Форменная одежда шьется из сукна, сукно закупается централизованно.",
    "Не стоит хлебать щи лаптем.",
    "Документ подписан электронной цифровой подписью.",
    "Оскорбление запрещается; оскорблять и употреблять алкоголь в общественных местах нельзя.",
    "Курс рубля и тенге, с борта корабля.",
    "Застрахуйте имущество: государство страхует вклады.",
    "Депутатский мандат прекращается досрочно.",
    "Услуги педикюра и профилактика педикулеза в школах.",
    "Вызывает недоумение формулировка пункта 3.",
    "Переход прошел без сучка и задоринки.",
    "Вертолеты Сикорского закупаются по программе.",
    "Работать бок о бок с соседними государствами.",
    "Ол мәселенің ебін тауып, шешім қабылдады; ебі бар адам.",
    "Боқтық сөздерге тыйым салынады.",
    "Қаңғыбас жануарларды аулау тәртібі бекітілсін.",
    "Топырақтың азғындауы экологиялық мәселе болып отыр.",
    "Продажа сигарет несовершеннолетним запрещена, о нарушении подайте сигнал.",
    "Кот и котик живут в квартире, котировки растут.",
    "The cocktail bar near the cockpit of the Dickens museum.",
    "Fire retardant materials are required in public buildings.",
    "Shiitake and shitake mushrooms are exported to Asia.",
    "We should pass the class assessment in Mississippi.",
    "Ассоциация юристов получила ссуду банка.",
    "Шешеңді сыйла, әкеңнің ақылын тыңда.",
    "Иттің иесі жауап береді, ит пен мысық.",
    "Хуторское хозяйство и хуторяне.",
    "Мелкое хулиганство наказывается штрафом.",
    "Мудрое решение принято единогласно.",
    "Хачапури и жидкое топливо облагаются налогом.",
    "Скотоводство и птицеводство субсидируются.",
    "Лохань для воды, идиома и идиоматические выражения.",
    "Сукцессия прав и сукровица в медицинском заключении.",
    "Қанша тұрады? Сіз бен біз бірге шешеміз.",
    "Pistachio exports from Pisa; the arsenal and the cumulative total.",
    "Pussycat Dolls visited the Dickinson house.",
    "Сигнализация и сигареты, Сикорский и сиквел.",
    "Педагог и педиатр работают в школе.",
]


@pytest.mark.parametrize("sentence", INNOCENT)
def test_innocent_sentences_are_not_flagged(sentence):
    assert find_profanity(sentence) == []


def test_empty_and_non_letter_text():
    assert find_profanity("") == []
    assert find_profanity("123 456, !!! 2026-11-23 ★") == []


def read_entries(language: str) -> list[str]:
    lines = (WORDLIST_DIR / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize("language", WORDLIST_LANGUAGES)
def test_word_lists_are_well_formed(language):
    entries = read_entries(language)
    assert 40 <= len(entries) <= 130
    assert len(entries) == len(set(entries))
    assert all(entry == entry.lower() and "ё" not in entry for entry in entries)
    assert all(re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*\*?", entry) for entry in entries)


@pytest.mark.parametrize("language", WORDLIST_LANGUAGES)
def test_every_entry_matches_itself(language):
    for entry in read_entries(language):
        word = entry.rstrip("*")
        assert find_profanity(f"Ну {word} же") == [word], entry


def test_word_lists_load_once():
    assert screening._lexicon() is screening._lexicon()


def test_a_malformed_entry_is_reported(tmp_path, monkeypatch):
    for language in WORDLIST_LANGUAGES:
        (tmp_path / f"{language}.txt").write_text("# comment\n\nок\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("fine\nbad-entry\n", encoding="utf-8")
    monkeypatch.setattr(screening, "WORDLIST_DIR", tmp_path)
    screening._lexicon.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"en.txt:2"):
            screening._lexicon()
    finally:
        monkeypatch.undo()
        screening._lexicon.cache_clear()


# --- screen, hints and masking ---------------------------------------------------------------------------------


def test_hints_are_in_a_stable_order():
    finding = Finding("x", 0, 1, "x")
    everything = Screening(links=2, profanity=["сука"], iins=[finding], phones=[finding], emails=[finding])
    assert everything.hints == ["links", "profanity", "iin", "phone", "email"]
    assert everything.personal_data
    assert Screening(links=1, profanity=[], iins=[], phones=[], emails=[finding]).hints == ["email"]
    nothing = Screening(links=1, profanity=[], iins=[], phones=[], emails=[])
    assert nothing.hints == [] and not nothing.personal_data


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
    spans = [(finding.start, finding.end) for finding in (*found.iins, *found.phones, *found.emails)]
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
        lambda: str(rng.randrange(10**6)),
        lambda: rng.choice(["статья", "закон", "ЖСН", "ИИН:", "тел.", "—", "сука", "https://egov.kz", "\n", "ё"]),
    ]
    for _ in range(300):
        text = rng.choice([" ", ", ", "; "]).join(rng.choice(pieces)() for _ in range(rng.randrange(1, 12)))
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
