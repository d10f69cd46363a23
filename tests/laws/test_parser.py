"""Tests for reading uploaded draft laws and parsing their structure."""

import io
import struct
import zipfile
from pathlib import Path

import pytest

from app.laws.files import MAX_DOCX_BYTES, MAX_DOCX_XML_BYTES, MAX_TEXT_BYTES, decode_text, extract_docx, read_upload
from app.laws.parser import ParsedLaw, ParsedNode, ParseError, detect_lang, parse_law

TEXTS = Path(__file__).parent / "texts"


def fixture_text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def outline(law: ParsedLaw) -> list[tuple[int, str, str, str, int]]:
    """Return (depth, kind, number, heading, number of children) for every node in order."""
    rows = []
    for depth, node, _ in law.walk():
        rows.append((depth, node.kind, node.number, node.heading, len(node.children)))
    return rows


def node_at(law: ParsedLaw, *key: str) -> ParsedNode:
    matches = [node for _, node, node_key in law.walk() if node_key == key]
    assert len(matches) == 1, f"{key} found {len(matches)} times"
    return matches[0]


def keys(law: ParsedLaw) -> list[str]:
    return ["/".join(key) for _, _, key in law.walk()]


# The three language versions of the same law share this structure and these keys.
LAW_KEYS = [
    "preamble",
    "chapter:1",
    "article:1",
    "article:1/subpoint:1",
    "article:1/subpoint:2",
    "article:1/subpoint:3",
    "article:2",
    "article:2/point:1",
    "article:2/point:2",
    "article:3",
    "article:3/subpoint:1",
    "article:3/subpoint:2",
    "article:3/subpoint:3",
    "chapter:2",
    "article:4",
    "article:4/point:1",
    "article:4/point:2",
    "article:4/point:2/subpoint:1",
    "article:4/point:2/subpoint:2",
    "article:4/point:2/subpoint:3",
    "article:4-1",
    "article:5",
    "article:5/point:1",
    "article:5/point:2",
    "article:5/point:3",
    "article:5-1",
    "article:6",
    "article:6/point:1",
    "article:6/point:1/subpoint:1",
    "article:6/point:1/subpoint:2",
    "article:6/point:1/subpoint:3",
    "article:6/point:2",
    "chapter:3",
    "article:7",
]


# --- The Russian law -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ru_law() -> ParsedLaw:
    return parse_law(fixture_text("ru_law.txt"), "ru")


def test_russian_law_outline(ru_law):
    assert ru_law.lang == "ru"
    assert outline(ru_law) == [
        (0, "preamble", "", "", 0),
        (0, "chapter", "1", "Общие положения", 3),
        (1, "article", "1", "Основные понятия, используемые в настоящем Законе", 3),
        (2, "subpoint", "1", "", 0),
        (2, "subpoint", "2", "", 0),
        (2, "subpoint", "3", "", 0),
        (1, "article", "2", "Законодательство Республики Казахстан о публичных обсуждениях", 2),
        (2, "point", "1", "", 0),
        (2, "point", "2", "", 0),
        (1, "article", "3", "Принципы публичного обсуждения", 3),
        (2, "subpoint", "1", "", 0),
        (2, "subpoint", "2", "", 0),
        (2, "subpoint", "3", "", 0),
        (0, "chapter", "2", "Порядок проведения публичного обсуждения", 5),
        (1, "article", "4", "Размещение проекта закона", 2),
        (2, "point", "1", "", 0),
        (2, "point", "2", "", 3),
        (3, "subpoint", "1", "", 0),
        (3, "subpoint", "2", "", 0),
        (3, "subpoint", "3", "", 0),
        (1, "article", "4-1", "Особенности обсуждения отдельных проектов законов", 0),
        (1, "article", "5", "Срок публичного обсуждения", 3),
        (2, "point", "1", "", 0),
        (2, "point", "2", "", 0),
        (2, "point", "3", "", 0),
        (1, "article", "5-1", "Отчет о публичном обсуждении", 0),
        (1, "article", "6", "Рассмотрение предложений", 2),
        (2, "point", "1", "", 3),
        (3, "subpoint", "1", "", 0),
        (3, "subpoint", "2", "", 0),
        (3, "subpoint", "3", "", 0),
        (2, "point", "2", "", 0),
        (0, "chapter", "3", "Заключительные положения", 1),
        (1, "article", "7", "Порядок введения в действие настоящего Закона", 0),
    ]
    assert keys(ru_law) == LAW_KEYS
    kinds = ("preamble", "section", "chapter", "article", "point", "subpoint")
    assert [ru_law.count(kind) for kind in kinds] == [
        1,
        0,
        3,
        9,
        9,
        12,
    ]


def test_russian_title_skips_banners_and_joins_wrapped_lines(ru_law):
    assert ru_law.title == "О публичных обсуждениях проектов законов"
    preamble = ru_law.nodes[0]
    assert preamble.kind == "preamble"
    assert preamble.body == (
        "Настоящий Закон регулирует общественные отношения, возникающие при проведении публичных обсуждений "
        "проектов законов Республики Казахстан.\n"
        "Закон определяет порядок участия физических и юридических лиц в публичных обсуждениях."
    )


def test_russian_bodies(ru_law):
    assert node_at(ru_law, "chapter:1").body == ""
    assert node_at(ru_law, "article:1").body == "В настоящем Законе используются следующие основные понятия:"
    assert node_at(ru_law, "article:1", "subpoint:2").body == (
        "разработчик – государственный орган, разрабатывающий проект закона;"
    )
    # An article made only of points has no body of its own.
    assert node_at(ru_law, "article:2").body == ""
    assert node_at(ru_law, "article:4", "point:2").body == "Одновременно с проектом закона размещаются:"
    subpoint = node_at(ru_law, "article:4", "point:2", "subpoint:3")
    assert subpoint.body == "сведения о сроках публичного обсуждения."


def test_russian_reference_to_an_article_is_body_text(ru_law):
    assert node_at(ru_law, "article:4-1").body == (
        "Статья 5 настоящего Закона не применяется к проектам законов, содержащим сведения, составляющие "
        "государственные секреты.\n"
        "Порядок обсуждения таких проектов определяется Правительством Республики Казахстан."
    )
    assert node_at(ru_law, "article:5", "point:2").body == (
        "Срок публичного обсуждения продлевается разработчиком не более одного раза на срок, определенный\n"
        "в соответствии со статьей 2."
    )


def test_russian_year_at_line_start_is_not_a_point(ru_law):
    assert node_at(ru_law, "article:5", "point:3").body.splitlines() == [
        "Положения настоящей статьи применяются к проектам законов, разработка которых начата в",
        "2019 году и позднее.",
    ]


def test_russian_intro_paragraph_then_points(ru_law):
    article = node_at(ru_law, "article:6")
    assert (
        article.body
        == "Разработчик рассматривает все предложения и замечания, поступившие в срок публичного обсуждения."
    )
    assert [(child.kind, child.number) for child in article.children] == [("point", "1"), ("point", "2")]
    assert article.children[0].body == (
        "По итогам публичного обсуждения разработчик составляет справку, в которой указываются:"
    )
    # Letter items are too deep to be nodes: they stay in the text of their subpoint.
    assert node_at(ru_law, "article:6", "point:1", "subpoint:3").body == (
        "отклоненные предложения с обоснованием причин:\nа) по существу;\nб) по форме."
    )
    assert (
        article.children[1].body
        == "Справка размещается в течение пяти рабочих дней после завершения публичного обсуждения."
    )


# --- The Kazakh and English versions ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def kk_law() -> ParsedLaw:
    return parse_law(fixture_text("kk_law.txt"), "kk")


@pytest.fixture(scope="module")
def en_law() -> ParsedLaw:
    return parse_law(fixture_text("en_law.txt"), "en")


def test_kazakh_law_outline(kk_law):
    assert kk_law.title == "Заң жобаларын жария талқылау туралы"
    assert keys(kk_law) == LAW_KEYS
    assert [(node.kind, node.number, node.heading) for node in kk_law.nodes] == [
        ("preamble", "", ""),
        ("chapter", "1", "ЖАЛПЫ ЕРЕЖЕЛЕР"),
        ("chapter", "2", "ЖАРИЯ ТАЛҚЫЛАУ ЖҮРГІЗУ ТӘРТІБІ"),
        ("chapter", "3", "ҚОРЫТЫНДЫ ЕРЕЖЕЛЕР"),
    ]
    assert [(node.number, node.heading) for node in kk_law.nodes[2].children] == [
        ("4", "Заң жобасын орналастыру"),
        ("4-1", "Жекелеген заң жобаларын талқылаудың ерекшеліктері"),
        ("5", "Жария талқылау мерзімі"),
        ("5-1", "Жария талқылау туралы есеп"),
        ("6", "Ұсыныстарды қарау"),
    ]
    assert kk_law.nodes[0].body == (
        "Осы Заң Қазақстан Республикасының заң жобаларын жария талқылау кезінде туындайтын қоғамдық "
        "қатынастарды реттейді.\n"
        "Заң жеке және заңды тұлғалардың жария талқылауға қатысу тәртібін айқындайды."
    )


def test_kazakh_references_to_articles_are_body_text(kk_law):
    assert node_at(kk_law, "article:4-1").body.splitlines() == [
        "5-бапта көзделген мерзім мемлекеттік құпиялары бар заң жобаларына қолданылмайды.",
        "Мұндай жобаларды талқылау тәртібін Қазақстан Республикасының Үкіметі айқындайды.",
    ]
    assert node_at(kk_law, "article:5-1").body.splitlines() == [
        "Әзірлеуші жыл сайын өткізілген жария талқылаулар туралы есеп жариялайды.",
        "4-баптың 2-тармағында аталған құжаттар есепке қоса беріледі.",
    ]
    assert node_at(kk_law, "article:5", "point:3").body == (
        "Осы баптың ережелері әзірленуі\n2019 жылы және одан кейін басталған заң жобаларына қолданылады."
    )
    assert node_at(kk_law, "article:6").body == (
        "Әзірлеуші жария талқылау мерзімінде келіп түскен барлық ұсыныстар мен ескертулерді қарайды."
    )


def test_english_law(en_law):
    assert en_law.title == "On Public Discussion of Draft Laws"
    assert keys(en_law) == LAW_KEYS
    assert [node.heading for node in en_law.nodes if node.kind == "chapter"] == [
        "GENERAL PROVISIONS",
        "PROCEDURE FOR CONDUCTING PUBLIC DISCUSSION",
        "FINAL PROVISIONS",
    ]
    first_line = node_at(en_law, "article:4-1").body.splitlines()[0]
    assert first_line.startswith("Article 5 of this Law shall not apply to draft laws containing information")
    assert node_at(en_law, "article:5", "point:2").body.endswith("\nin accordance with Article 2.")
    assert node_at(en_law, "article:6", "point:1", "subpoint:3").body == (
        "the proposals rejected, with reasons:\na) on the merits;\nb) on the form."
    )


def test_language_versions_have_the_same_shape(ru_law, kk_law, en_law):
    def shape(law: ParsedLaw) -> list[tuple[int, str, str, int, int]]:
        return [
            (depth, node.kind, node.number, len(node.children), len(node.body.splitlines()))
            for depth, node, _ in law.walk()
        ]

    assert shape(ru_law) == shape(kk_law) == shape(en_law)


# --- Sections, laws without chapters ---------------------------------------------------------------------


def test_sections_with_roman_numerals_and_articles_straight_in_a_section():
    law = parse_law(fixture_text("ru_sections.txt"), "ru")
    assert law.title == "О гражданском участии в нормотворчестве"
    assert outline(law) == [
        (0, "section", "I", "Общая часть", 2),
        (1, "chapter", "1", "Общие положения", 1),
        (2, "article", "1", "Цель настоящего Закона", 0),
        (1, "chapter", "2", "Права участников", 1),
        (2, "article", "2", "Права граждан", 2),
        (3, "point", "1", "", 0),
        (3, "point", "2", "", 0),
        (0, "section", "II", "Особенная часть", 1),
        (1, "chapter", "3", "Общественные советы", 1),
        (2, "article", "3", "Участие общественных советов", 0),
        (0, "section", "3", "ЗАКЛЮЧИТЕЛЬНЫЕ ПОЛОЖЕНИЯ", 1),
        (1, "article", "4", "Введение в действие", 0),
    ]
    assert keys(law) == [
        "section:1",
        "chapter:1",
        "article:1",
        "chapter:2",
        "article:2",
        "article:2/point:1",
        "article:2/point:2",
        "section:2",
        "chapter:3",
        "article:3",
        "section:3",
        "article:4",
    ]
    assert law.nodes[1].body == "Положения настоящего раздела применяются к проектам законов."
    assert law.count("section") == 3
    assert law.count("preamble") == 0


def test_articles_only_with_inserted_points_and_subpoints():
    law = parse_law(fixture_text("ru_articles_only.txt"), "ru")
    # No banner: the first short paragraph is still the title, and nothing is left for a preamble.
    assert law.title == "О государственной поддержке гражданских инициатив"
    assert [node.kind for node in law.nodes] == ["article", "article", "article"]
    assert keys(law) == [
        "article:1",
        "article:1/point:1",
        "article:1/point:1-1",
        "article:2",
        "article:2/subpoint:1",
        "article:2/subpoint:2",
        "article:2/subpoint:2-1",
        "article:3",
    ]
    assert node_at(law, "article:1", "point:1-1").body == (
        "Гражданская инициатива подписывается не менее чем пятьюдесятью тысячами граждан."
    )
    intro = "Государственная поддержка гражданских инициатив осуществляется в виде:"
    assert node_at(law, "article:2").body == intro


# --- Headings, points and subpoints, line by line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "line", "expected"),
    [
        ("ru", "Статья 5-1. Отчет", ("article", "5-1", "Отчет")),
        ("ru", "СТАТЬЯ 2. Термины", ("article", "2", "Термины")),
        ("ru", "ГЛАВА 1. ОБЩИЕ ПОЛОЖЕНИЯ", ("chapter", "1", "ОБЩИЕ ПОЛОЖЕНИЯ")),
        ("ru", "Глава IV. Контроль", ("chapter", "IV", "Контроль")),
        ("ru", "Раздел 2. Особенная часть", ("section", "2", "Особенная часть")),
        ("ru", "Статья 7.", ("article", "7", "")),
        ("ru", "  Статья  3.   Цель  ", ("article", "3", "Цель")),
        ("ru", "Статья 3.Цель", ("article", "3", "Цель")),
        ("ru", "Статья\u00a03.\u00a0Цель", ("article", "3", "Цель")),
        ("ru", "Статья 5 настоящего Закона применяется", None),
        ("ru", "Статья 5.1 применяется", None),
        ("ru", "Статья IV. Римские номера бывают только у глав", None),
        ("ru", "Статья5. Без пробела", None),
        ("ru", "Глава 1 Общие положения", None),
        ("ru", "статьей 2. настоящего Закона", None),
        ("kk", "1-бап. Мақсат", ("article", "1", "Мақсат")),
        ("kk", "1 -бап. Мақсат", ("article", "1", "Мақсат")),
        ("kk", "1-БАП. МАҚСАТ", ("article", "1", "МАҚСАТ")),
        ("kk", "5-1-бап. Есеп", ("article", "5-1", "Есеп")),
        ("kk", "5\u20111\u2011бап. Есеп", ("article", "5-1", "Есеп")),
        ("kk", "1–бап. Мақсат", ("article", "1", "Мақсат")),
        ("kk", "1-ТАРАУ. ЖАЛПЫ ЕРЕЖЕЛЕР", ("chapter", "1", "ЖАЛПЫ ЕРЕЖЕЛЕР")),
        ("kk", "1-тарау. Жалпы ережелер", ("chapter", "1", "Жалпы ережелер")),
        ("kk", "2-бөлім. Ерекше бөлім", ("section", "2", "Ерекше бөлім")),
        ("kk", "2-БӨЛІМ. ЕРЕКШЕ БӨЛІМ", ("section", "2", "ЕРЕКШЕ БӨЛІМ")),
        ("kk", "1-баптың 2-тармағында көзделген тәртіппен", None),
        ("kk", "5-бапта көзделген мерзім", None),
        ("kk", "1-бап Мақсат", None),
        ("kk", "Статья 1. Бұл орысша тақырып", None),
        ("en", "Article 1. Definitions", ("article", "1", "Definitions")),
        ("en", "ARTICLE 5-1. Report", ("article", "5-1", "Report")),
        ("en", "CHAPTER 1. GENERAL PROVISIONS", ("chapter", "1", "GENERAL PROVISIONS")),
        ("en", "Part II. Special part", ("section", "II", "Special part")),
        ("en", "Article 5 of this Law shall apply", None),
        ("en", "Chapter 1 - General provisions", None),
        ("en", "Article 1.5 percent", None),
    ],
)
def test_heading_lines(lang, line, expected):
    text = f"{line}\nТекст."
    if expected is None:
        with pytest.raises(ParseError) as error:
            parse_law(text, lang)
        assert error.value.code == "no_structure"
        return
    law = parse_law(text, lang)
    kind, number, heading = expected
    assert [(node.kind, node.number, node.heading) for node in law.nodes] == [(kind, number, heading)]
    assert law.nodes[0].body == "Текст."


def test_cyrillic_roman_numerals_get_arabic_keys():
    law = parse_law("Раздел І. Общая часть\nСтатья 1. Цель\nТекст.\nРаздел ІІ. Особенная часть\n", "ru")
    assert [node.number for node in law.nodes] == ["І", "ІІ"]
    assert keys(law) == ["section:1", "article:1", "section:2"]


@pytest.mark.parametrize(
    "line",
    [
        "2019. Год принятия программы.",
        "250. Слишком большой номер для пункта.",
        "3.5 процента от суммы.",
        "0. Нулевой пункт не бывает.",
        "1.Без пробела.",
        "2019) Год в скобках.",
        "а) буквенный подпункт;",
        "1.",
    ],
)
def test_lines_that_are_not_points(line):
    law = parse_law(f"Статья 1. Цель\nВступление.\n{line}", "ru")
    article = law.nodes[0]
    assert article.children == []
    assert article.body == f"Вступление.\n{line}"


def test_numbered_lines_outside_articles_are_body_text():
    preamble = "Закон о примере\n\n1. Первое положение преамбулы.\n\n"
    text = preamble + "Глава 1. Общие\n1. Не пункт главы.\n2) Не подпункт.\n"
    law = parse_law(text + "Статья 1. Цель\n1. Пункт.\n", "ru")
    assert law.nodes[0].body == "1. Первое положение преамбулы."
    chapter = law.nodes[1]
    assert chapter.body == "1. Не пункт главы.\n2) Не подпункт."
    assert [child.kind for child in chapter.children] == ["article"]
    assert keys(law) == ["preamble", "chapter:1", "article:1", "article:1/point:1"]


def test_numbering_restarts_per_article_and_point():
    text = (
        "Статья 1. Первая\n1. Пункт.\n1) подпункт;\n2) подпункт.\n2. Пункт.\n1) подпункт.\n"
        "Статья 2. Вторая\n1) подпункт прямо в статье;\n1. Пункт.\n"
    )
    assert keys(parse_law(text, "ru")) == [
        "article:1",
        "article:1/point:1",
        "article:1/point:1/subpoint:1",
        "article:1/point:1/subpoint:2",
        "article:1/point:2",
        "article:1/point:2/subpoint:1",
        "article:2",
        "article:2/subpoint:1",
        "article:2/point:1",
    ]


def test_new_chapter_closes_the_open_article_and_point():
    law = parse_law("Статья 1. Вне глав\n1. Пункт.\nГлава 1. Первая\nТекст главы.\nСтатья 2. Внутри\n", "ru")
    assert outline(law) == [
        (0, "article", "1", "Вне глав", 1),
        (1, "point", "1", "", 0),
        (0, "chapter", "1", "Первая", 1),
        (1, "article", "2", "Внутри", 0),
    ]
    assert law.nodes[0].children[0].body == "Пункт."
    assert law.nodes[1].body == "Текст главы."


# --- Title and preamble ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "title", "preamble"),
    [
        ("", "", None),
        ("\n\n", "", None),
        ("проект\n\nзакон республики казахстан\n\nО примере\n\n", "О примере", None),
        ("ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН\nО примере\nНастоящий Закон регулирует пример.\n", "О примере",
         "Настоящий Закон регулирует пример."),
        ("О примере\nи образце\n\nПреамбула.\nЕще абзац.\n", "О примере и образце", "Преамбула.\nЕще абзац."),
        ("Настоящий Закон регулирует пример.\n\n", "", "Настоящий Закон регулирует пример."),
        ("О " + "очень " * 60 + "длинном\n\n", "", "О " + "очень " * 60 + "длинном"),
        ("Проект\n\n", "", None),
        # After a banner the paragraph is the title even if it ends with a full stop.
        ("ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН\n\nОб изменениях\nв закон.\n\nПреамбула.\n", "Об изменениях в закон.",
         "Преамбула."),
        ("ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН\n\nОб изменениях.\n\nПреамбула.\n", "Об изменениях.", "Преамбула."),
    ],
)  # fmt: skip
def test_title_and_preamble(front, title, preamble):
    law = parse_law(front + "Статья 1. Цель\nТекст.\n", "ru")
    assert law.title == title
    if preamble is None:
        assert law.nodes[0].kind == "article"
    else:
        assert (law.nodes[0].kind, law.nodes[0].number, law.nodes[0].heading) == ("preamble", "", "")
        assert law.nodes[0].body == preamble
        assert law.nodes[1].kind == "article"


def test_kazakh_and_english_banners():
    kk = parse_law("ЖОБА\nҚазақстан Республикасының Заңы\n\nМысал туралы\n\n1-бап. Мақсат\n", "kk")
    en = parse_law("DRAFT\nThe Law of the Republic of Kazakhstan\n\nOn Example\n\nArticle 1. Purpose\n", "en")
    assert (kk.title, en.title) == ("Мысал туралы", "On Example")


# --- Normalising text ------------------------------------------------------------------------------------


def test_crlf_bom_nbsp_and_extra_spaces_parse_like_the_clean_text(ru_law):
    clean = fixture_text("ru_law.txt")
    messy = "\ufeff" + clean.replace("Статья ", "Статья\u00a0").replace(" – ", "  \u00a0–\t ")
    messy = "\r\n".join(f"  {line}  " for line in messy.split("\n"))
    law = parse_law(decode_text(messy.encode("utf-8")), "ru")
    assert law == ru_law


def test_soft_hyphens_and_zero_width_spaces_are_dropped():
    law = parse_law("Статья 1. Ос\u00adнов\u200bные понятия\nТекст\u00a0\u00a0статьи.\r\n\r\n\r\nЕще.", "ru")
    assert law.nodes[0].heading == "Основные понятия"
    assert law.nodes[0].body == "Текст статьи.\nЕще."


# --- Decoding uploads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("ru_law.txt", "utf-8"),
        ("ru_law.txt", "utf-8-sig"),
        ("kk_law.txt", "utf-16"),
        ("en_law.txt", "utf-16-be"),
        ("kk_law.txt", "utf-32"),
        ("ru_law.txt", "cp1251"),
        ("kk_law.txt", "kz1048"),
    ],
)
def test_decode_text_encodings(name, encoding):
    text = fixture_text(name)
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_text(data) == text


def test_decode_cp1251_keeps_russian_punctuation():
    assert decode_text("«Статья» № 5 — ё".encode("cp1251")) == "«Статья» № 5 — ё"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b" \r\n\t \n", "empty"),
        (b"\xef\xbb\xbf  \n", "empty"),
        ("Статья 1.\x00 Цель".encode(), "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary"),
        (bytes(range(1, 9)) * 4 + b"text", "binary"),
        (b"\x98\x98 text", "binary"),
        (b"\xff\xfe\x00\xd8", "binary"),
    ],
)
def test_decode_text_rejects(data, code):
    with pytest.raises(ParseError) as error:
        decode_text(data)
    assert error.value.code == code
    assert error.value.params == {}


def test_decode_text_allows_a_few_control_characters():
    text = "Статья 1. Цель\f\n" + "Текст статьи. " * 20 + "\x1a"
    assert decode_text(text.encode("utf-8")) == text
    assert parse_law(text, "ru").nodes[0].body.endswith("Текст статьи.")


def test_decode_text_size_limit():
    assert decode_text(b"a" * MAX_TEXT_BYTES) == "a" * MAX_TEXT_BYTES
    with pytest.raises(ParseError) as error:
        decode_text(b"a" * (MAX_TEXT_BYTES + 1))
    assert (error.value.code, error.value.params) == ("too_large", {"limit": MAX_TEXT_BYTES})


def test_parse_error_carries_code_and_params():
    error = ParseError("too_large", limit=10)
    assert isinstance(error, ValueError)
    assert (error.code, error.params) == ("too_large", {"limit": 10})
    assert str(error) == "too_large (limit=10)"
    assert str(ParseError("empty")) == "empty"


# --- Parse errors and language detection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("\n \u00a0\n\ufeff\n", "empty"),
        ("ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН\n\nО примере\n\n1. Текст без статей.\n2) Еще текст.", "no_structure"),
        ("Статья 5 настоящего Закона применяется.", "no_structure"),
    ],
)
def test_parse_law_errors(text, code):
    with pytest.raises(ParseError) as error:
        parse_law(text, "ru")
    assert error.value.code == code


def test_parse_law_uses_only_the_given_languages_headings():
    with pytest.raises(ParseError):
        parse_law(fixture_text("kk_law.txt"), "ru")
    assert parse_law(fixture_text("kk_law.txt"), "kk").count("article") == 9


def test_parse_law_rejects_unknown_language():
    with pytest.raises(ValueError, match="de") as error:
        parse_law("Статья 1. Цель", "de")
    assert not isinstance(error.value, ParseError)


def test_count_rejects_unknown_kind(ru_law):
    with pytest.raises(ValueError, match="paragraph"):
        ru_law.count("paragraph")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (fixture_text("ru_law.txt"), "ru"),
        (fixture_text("kk_law.txt"), "kk"),
        (fixture_text("en_law.txt"), "en"),
        (fixture_text("ru_sections.txt"), "ru"),
        ("1-БАП. МАҚСАТ\nСтатья 5 настоящего Закона", "kk"),
        ("Настоящий Закон без заголовков.", None),
        ("Статья 1. Цель\nArticle 1. Purpose", None),
        ("", None),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


# --- .docx ----------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(body_xml: str, *, extra: dict[str, bytes] | None = None, document: bool = True) -> bytes:
    """Build a minimal .docx whose document body is the given WordprocessingML."""
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
    xml += body_xml + "</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        if document:
            archive.writestr("word/document.xml", xml.encode("utf-8"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def paragraph(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r>{run}</w:r>" for run in runs) + "</w:p>"


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{text}</w:t>'


DOCX_BODY = "".join(
    [
        paragraph(t("ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН")),
        "<w:p/>",
        paragraph(t("О публичных"), "<w:br/>", t("обсуждениях")),
        "<w:p/>",
        # Word splits text into runs anywhere, even inside a word; paragraph properties carry tab stops.
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs><w:jc w:val="both"/></w:pPr>'
        + "<w:r><w:rPr><w:b/></w:rPr>" + t("Стат") + "</w:r><w:r>" + t("ья 1. Цель") + "</w:r></w:p>",
        paragraph(t("1."), "<w:tab/>", t("Первый пункт.")),
        '<w:p><w:ins w:id="1" w:author="a"><w:r>' + t("2. Вставленный пункт.") + "</w:r></w:ins>"
        + '<w:del w:id="2" w:author="a"><w:r><w:delText>Удаленный текст.</w:delText></w:r></w:del></w:p>',
        "<w:tbl><w:tr><w:tc>" + paragraph(t("Статья 2. Из таблицы")) + "</w:tc></w:tr></w:tbl>",
        paragraph(t("5"), "<w:noBreakHyphen/>", t("1"), "<w:noBreakHyphen/>", t("бап. Есеп")),
    ]
)  # fmt: skip


def test_extract_docx_lines():
    assert extract_docx(make_docx(DOCX_BODY)).split("\n") == [
        "ЗАКОН РЕСПУБЛИКИ КАЗАХСТАН",
        "",
        "О публичных",
        "обсуждениях",
        "",
        "Статья 1. Цель",
        "1. Первый пункт.",
        "2. Вставленный пункт.",
        "Статья 2. Из таблицы",
        "5-1-бап. Есеп",
    ]


def test_docx_upload_parses():
    text = read_upload("Проект закона.DOCX", make_docx(DOCX_BODY))
    law = parse_law(text, "ru")
    assert law.title == "О публичных обсуждениях"
    assert keys(law) == ["article:1", "article:1/point:1", "article:1/point:2", "article:2"]
    assert node_at(law, "article:1", "point:2").body == "Вставленный пункт."


def test_docx_text_box_paragraphs_are_not_duplicated():
    box = "<w:r><w:pict><w:txbxContent>" + paragraph(t("Текст в рамке")) + "</w:txbxContent></w:pict></w:r>"
    body = "<w:p><w:r>" + t("До рамки. ") + "</w:r>" + box + "<w:r>" + t("После рамки.") + "</w:r></w:p>"
    assert extract_docx(make_docx(body)) == "До рамки. После рамки.\nТекст в рамке"


def patch_declared_size(docx: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip's central directory declares for one member."""
    entry = docx.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", docx, entry + 28)[0]
        if docx[entry + 46 : entry + 46 + name_length] == member.encode():
            return docx[: entry + 24] + struct.pack("<I", size) + docx[entry + 28 :]
        entry = docx.index(b"PK\x01\x02", entry + 4)


def test_docx_declaring_a_huge_document_is_refused_unread():
    bomb = patch_declared_size(make_docx(paragraph(t("Статья 1. Цель"))), "word/document.xml", 3_000_000_000)
    with pytest.raises(ParseError) as error:
        extract_docx(bomb)
    assert (error.value.code, error.value.params) == ("too_large", {"limit": MAX_DOCX_XML_BYTES})


def test_docx_that_inflates_past_the_limit_is_refused():
    filler = "<w:p/>" * (MAX_DOCX_XML_BYTES // 6 + 1)
    data = make_docx(filler)
    assert len(data) < MAX_DOCX_BYTES
    with pytest.raises(ParseError) as error:
        extract_docx(data)
    assert (error.value.code, error.value.params) == ("too_large", {"limit": MAX_DOCX_XML_BYTES})


def test_docx_understating_its_size_is_refused():
    liar = patch_declared_size(make_docx(paragraph(t("Статья 1. Цель " * 100))), "word/document.xml", 50)
    with pytest.raises(ParseError) as error:
        extract_docx(liar)
    assert error.value.code == "bad_docx"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Statya 1. Not a zip at all",
        fixture_text("ru_law.txt").encode("utf-8"),
        make_docx("", document=False, extra={"word/other.xml": b"<w:document/>"}),
        make_docx("<w:p><w:r><w:t>unclosed</w:r></w:p>"),
        make_docx(paragraph(t("Статья 1. Цель")))[:-30],
    ],
)
def test_bad_docx(data):
    with pytest.raises(ParseError) as error:
        extract_docx(data)
    assert error.value.code == "bad_docx"


def test_docx_with_a_dtd_is_refused():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    with pytest.raises(ParseError) as error:
        extract_docx(buffer.getvalue())
    assert error.value.code == "bad_docx"


def test_docx_without_text_is_empty():
    with pytest.raises(ParseError) as error:
        extract_docx(make_docx("<w:p/>" + paragraph(t("   ")) + "<w:sectPr/>"))
    assert error.value.code == "empty"


def test_docx_upload_size_limit():
    with pytest.raises(ParseError) as error:
        extract_docx(b"PK" + b"\x00" * MAX_DOCX_BYTES)
    assert (error.value.code, error.value.params) == ("too_large", {"limit": MAX_DOCX_BYTES})


# --- Dispatch by file name ------------------------------------------------------------------------------


def test_read_upload_txt_by_extension_in_any_case():
    data = fixture_text("kk_law.txt").encode("utf-8-sig")
    assert read_upload("заң_жобасы.TXT", data) == fixture_text("kk_law.txt")
    assert read_upload(r"C:\Users\a\law.txt ", data) == fixture_text("kk_law.txt")


def test_read_upload_checks_content_not_only_the_name():
    with pytest.raises(ParseError) as error:
        read_upload("law.txt", make_docx(DOCX_BODY))
    assert error.value.code == "binary"
    with pytest.raises(ParseError) as error:
        read_upload("law.docx", fixture_text("ru_law.txt").encode("utf-8"))
    assert error.value.code == "bad_docx"


@pytest.mark.parametrize("filename", ["law.pdf", "law.doc", "law", "law.txt.exe", "docx", ".docx.rtf", ""])
def test_read_upload_rejects_other_types(filename):
    with pytest.raises(ParseError) as error:
        read_upload(filename, b"text")
    assert (error.value.code, error.value.params) == ("bad_type", {"allowed": ".txt, .docx"})
