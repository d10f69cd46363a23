# ruff: noqa: E501 (phrase tables read better one phrase per line than wrapped)
"""A comment's language is detected right on a generated consultation, quotes of the draft's other language included.

The bodies are built from phrase tables written for this test (not from the detector's training data): short
one-sentence comments, long ones joined from an opener, a claim, a reason, a proposal and a closer, bodies with
article references, sums and addresses, and comments quoting the draft in another language in «…» or "…" (an
English comment quoting the official Russian wording is still English). Acceptance: ≥ 98% right per language
and overall.
"""

import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest

from app.comments.language import detect_language
from app.comments.services import clean_text, post_comment

LANGS = ("kk", "ru", "en")
REQUIRED = 0.98

# fmt: off
SLOTS = {
    "n": ["3", "5", "10", "12", "15", "20", "30", "50", "100", "2,5", "1 500"],
    "year": ["2026", "2027", "2028", "2030"],
    "url": [
        "https://adilet.zan.kz/rus/docs/Z1500000414", "https://legalacts.egov.kz/npa/view?id=14923361",
        "https://www.gov.kz/memleket/entities/ecogeo/press/news", "http://example.kz/doc.pdf", "www.stat.gov.kz",
    ],
    "quote_ru": [
        "Местные исполнительные органы обеспечивают вывоз твердых бытовых отходов не реже одного раза в неделю",
        "Физические и юридические лица обязаны осуществлять раздельный сбор отходов",
        "штраф в размере двадцати месячных расчетных показателей",
        "Порядок проведения публичного обсуждения определяется уполномоченным органом",
        "Срок публичного обсуждения составляет не менее десяти рабочих дней со дня размещения проекта",
        "Настоящий Закон вводится в действие по истечении шести месяцев после дня его первого официального опубликования",
        "Уполномоченный орган вправе запрашивать у операторов сведения, необходимые для осуществления мониторинга",
        "в разумный срок", "иные лица", "по согласованию с уполномоченным органом", "в установленном порядке",
        "если иное не предусмотрено законами Республики Казахстан", "надлежащим образом",
    ],
    "quote_kk": [
        "Жергілікті атқарушы органдар қатты тұрмыстық қалдықтарды әкетуді аптасына кемінде бір рет қамтамасыз етеді",
        "уәкілетті органмен келісім бойынша", "белгіленген тәртіппен",
        "Жария талқылау мерзімі жоба орналастырылған күннен бастап он жұмыс күнінен кем болмауы тиіс",
        "жеке және заңды тұлғалар қалдықтарды бөлек жинауға міндетті",
    ],
    # Kazakh: a reference as the subject, and in the genitive.
    "kref": [
        "5-бап", "12-баптың 3-тармағы", "7-баптың 2-тармағының 4) тармақшасы", "5-1-бап", "3-тараудағы 15-бап",
        "Жобаның 9-бабы",
    ],
    "kref_gen": ["5-баптың", "12-баптың 3-тармағының", "7-баптың", "14-баптың 2-тармағының"],
    "kcity": ["Қарағанды", "Шымкент", "Ақтөбе", "Павлодар", "Алматы", "Астана", "Түркістан"],
    "kname": ["Айгүл Серікқызы", "Ержан Б.", "Мәдина", "Нұрлан Төлеуұлы"],
    # Russian: a reference as the subject, after "в" and as an object.
    "rref": [
        "Статья 5", "Ст. 12", "Пункт 3 статьи 7", "Подпункт 4) пункта 1 статьи 9", "Статья 5-1", "Норма п. 2 ст. 14",
    ],
    "rref_in": ["ст. 12", "статье 5", "п. 3 ст. 7", "пп. 4) п. 1 ст. 9", "пункте 2 статьи 14"],
    "rref_acc": ["ст. 12", "статью 5", "п. 3 ст. 7", "главу 3"],
    "rcity": ["Караганде", "Шымкенте", "Актобе", "Павлодаре", "Алматы", "Астане", "г. Қонаев"],
    "rname": ["Ольга Петрова", "Сергей И.", "Айгуль Серикова", "Нурлан Т."],
    "eref": [
        "Article 5", "Art. 12", "Paragraph 3 of Article 7", "Subparagraph 4) of paragraph 1 of Article 9",
        "Article 5-1", "Art. 14(2)",
    ],
    "ecity": ["Karaganda", "Shymkent", "Aktobe", "Pavlodar", "Almaty", "Astana", "a village near Kostanay"],
    "ename": ["John Smith", "A. Karimova", "Daniyar", "Maria K."],
}

PHRASES = {
    "kk": {
        "short": [
            "Қолдаймын.", "Қолдаймын!", "Толық қолдаймын.", "Қарсымын.", "Мен қарсымын!", "Келісемін.", "Келіспеймін.",
            "Дұрыс.", "Дұрыс емес.", "Жақсы бастама.", "Өте дұрыс шешім.", "Рахмет, қолдаймын.", "Біз қолдаймыз.",
            "Бұл бапты алып тастау керек.", "Мерзімді ұзарту керек.", "Әбден келісемін.", "Айыппұл тым жоғары.",
            "Түсініксіз норма.", "Бұл норма қажет емес.", "Жоба пысықталуы тиіс.", "Қолдамаймын.",
            "Мүлдем келіспеймін!", "Лицензия алу процедурасы тым ұзақ.", "Бизнес үшін бұл үлкен проблема.",
            "{kref} алынып тасталсын.", "{kref} өзгертілсін.", "Аудармасы нашар.", "Мониторинг жүргізу керек.",
            "Бұл әділетсіз.", "Иә.", "Жоқ!", "Жер сату керек емес.", "Салықты азайту керек.",
        ],
        "opener": [
            "Құрметті әзірлеушілер!", "Сәлеметсіз бе!", "Қайырлы күн!", "Заң жобасын мұқият оқып шықтым.",
            "Мен {kcity} қаласының тұрғынымын.", "Кәсіпкер ретінде айтарым мынау.",
            "Заңгер ретінде пікірімді білдірейін.", "Ауыл мектебінің мұғалімімін.", "Фермермін, {n} гектар жерім бар.",
        ],
        "claim": [
            "{kref} тым қатаң.", "{kref} кәсіпкерлерге қосымша ауыртпалық түсіреді.",
            "{kref} нақты емес, оны әркім әртүрлі түсінуі мүмкін.", "{kref} Конституцияға қайшы келеді деп санаймын.",
            "{kref_gen} айыппұлы {n} АЕК, бұл тым көп.", "{kref} лицензия алу процедурасын күрделендіре түседі.",
            "{kref} мониторинг жүргізу тәртібін айқындамайды.", "{kref} әкімдіктерге тым көп өкілеттік береді.",
            "Өтінішті қарау мерзімі {n} жұмыс күні, бұл жеткіліксіз.",
            "{kref} ауыл тұрғындарының мүддесін ескермейді.",
            "{kref} цифрлық платформаларға қойылатын талаптарды нақтыламайды.",
            "Субсидия беру тәртібі өзгереді, бірақ критерийлері көрсетілмеген.",
            "{kref} сыбайлас жемқорлық тәуекелін тудырады.", "Жобадағы уәкілетті орган ұғымы анықталмаған.",
            "Өтпелі кезең тым қысқа, {year} жылға дейін ешкім үлгермейді.",
            "Қалдықтарды бөлек жинайтын инфрақұрылым әлі жоқ.", "Мұндай талап шағын және орта бизнеске ауыр тиеді.",
        ],
        "reason": [
            "Себебі ауылдық жерлерде интернет әлі де нашар.", "Өйткені шағын бизнестің мұндай қаражаты жоқ.",
            "Бұл сыбайлас жемқорлыққа жол ашады.", "Әкімдіктерде мұндай мамандар жетіспейді.",
            "Субсидия алу онсыз да қиын.", "Көптеген компаниялар мұндай аудитке дайын емес.",
            "Мұндай тәжірибе көрші елдерде өзін ақтамады.", "Азаматтар бұл өзгерістер туралы хабардар емес.",
            "Бюджеттен қосымша қаржы бөлінбеген.", "Біздің өңірде полигон {n} шақырым жерде орналасқан.",
        ],
        "proposal": [
            "Өтпелі кезеңді {n} айға дейін ұзартуды ұсынамын.", "Бұл тармақты алып тастау керек.",
            "Нормативтерді нақтылап, өлшемдерін көрсету қажет.",
            "Өтінішті электрондық платформа арқылы беру мүмкіндігін қарастыру керек.",
            "Мәслихаттың келісімін міндетті ету қажет.", "Айыппұлды {n} АЕК-ке дейін азайту керек.",
            "Алдымен пилоттық жобаны бір облыста өткізген жөн.", "Қоғамдық кеңестің пікірін ескеру қажет.",
            "{kref} жаңа редакцияда жазылсын.", "Ережені {year} жылғы 1 қаңтардан бастап енгізуді ұсынамын.",
        ],
        "closer": [
            "Рахмет.", "Назарларыңызға рахмет!", "Ескереді деп үміттенемін.", "Құрметпен, {kname}.", "Жауап күтемін.",
        ],
        "link": ["Толығырақ мына жерде: {url}", "Қараңыз: {url}", "Дереккөз: {url}"],
        "quote": [
            "Орыс тіліндегі мәтінде «{quote_ru}» деп жазылған, ал қазақша нұсқасының мағынасы басқа.",
            '{kref_gen} орысша нұсқасында "{quote_ru}" делінген. Бұл норма түсініксіз, оны нақтылау керек.',
            "«{quote_ru}» деген сөйлемді қазақ тіліне дұрыс аудару қажет. Қазіргі аударма заң тіліне сай емес.",
            "Менің ойымша, «{quote_ru}» деген тұжырым тым жалпы. Оны алып тастаған жөн.",
            "Қазақша мәтіндегі «{quote_kk}» деген сөздер орысшасымен сәйкес келмейді.",
        ],
    },
    "ru": {
        "short": [
            "Поддерживаю.", "Полностью поддерживаю!", "Против.", "Я против.", "Согласен.", "Не согласен.",
            "Категорически не согласна.", "Хорошая инициатива.", "Нужно доработать.", "Штрафы завышены.",
            "Спасибо, поддерживаю.", "Норма непонятная.", "Это несправедливо.", "Предлагаю исключить {rref_acc}.",
            "Зачем это нужно?", "Поддерживаю полностью, давно пора.", "Перевод на казахский неточный.", "Да.", "Нет!",
            "Ок.",
        ],
        "opener": [
            "Уважаемые разработчики!", "Здравствуйте!", "Добрый день.", "Прочитал проект закона.", "Я живу в {rcity}.",
            "Как предприниматель, хочу сказать следующее.", "Я юрист, и у меня есть замечания.",
            "Работаю учителем в сельской школе.", "Я фермер, у меня {n} гектаров земли.",
        ],
        "claim": [
            "{rref} создаёт дополнительную нагрузку на малый бизнес.",
            "{rref} противоречит Конституции Республики Казахстан.", "{rref} допускает произвольное толкование.",
            "В {rref_in} штраф установлен в размере {n} МРП, это чрезмерно.",
            "В {rref_in} не указано, кто проводит мониторинг.",
            "Срок рассмотрения заявления в {rref_in} — {n} рабочих дней, этого мало.",
            "{rref} не учитывает интересы сельских жителей.", "{rref} усложняет процедуру получения лицензии.",
            "Понятие уполномоченного органа в проекте не раскрыто.",
            "Переходный период слишком короткий, до {year} года никто не успеет.",
            "Инфраструктуры для раздельного сбора отходов пока нет.", "Акимат получает слишком широкие полномочия.",
            "Требования к цифровым платформам в {rref_in} не конкретизированы.",
        ],
        "reason": [
            "Потому что в сёлах до сих пор плохой интернет.", "У малого бизнеса нет таких средств.",
            "Это открывает дорогу коррупции.", "В акиматах не хватает специалистов.",
            "Опыт соседних стран показывает, что это не работает.", "Граждане не проинформированы об этих изменениях.",
            "Дополнительное финансирование из бюджета не предусмотрено.", "Ближайший полигон у нас в {n} км.",
        ],
        "proposal": [
            "Предлагаю продлить переходный период до {n} месяцев.", "Предлагаю исключить этот пункт.",
            "Нужно конкретизировать нормативы и указать критерии.",
            "Следует предусмотреть подачу заявления через портал электронного правительства.",
            "Необходимо согласование с маслихатом.", "Штраф нужно снизить до {n} МРП.",
            "Сначала стоит провести пилотный проект в одной области.", "Прошу изложить {rref_acc} в новой редакции.",
            "Предлагаю ввести норму с 1 января {year} года.",
        ],
        "closer": ["Спасибо.", "Спасибо за внимание!", "Надеюсь, учтёте.", "С уважением, {rname}.", "Жду ответа."],
        "link": ["Подробнее: {url}", "См. {url}", "Источник: {url}"],
        "quote": [
            "В казахском тексте «{quote_kk}» переведено неточно.",
            'В {rref_in} на казахском языке написано "{quote_kk}", а в русском тексте смысл другой.',
            "Формулировка «{quote_ru}» слишком размыта, её нужно уточнить.",
            'Предлагаю убрать слова "{quote_ru}", они ничего не добавляют.',
        ],
    },
    "en": {
        "short": [
            "I agree.", "I support this.", "Fully support!", "I disagree.", "Against.", "Good initiative.",
            "This needs more work.", "The fines are too high.", "Thank you, I support it.", "Unclear provision.",
            "This is unfair.", "Please delete {eref}.", "Why is this needed?", "Strongly oppose.",
            "Agreed, long overdue.", "Support.", "Yes!", "No.",
        ],
        "opener": [
            "Dear drafters,", "Hello.", "Good afternoon.", "I have read the draft law carefully.",
            "I live in {ecity}.", "As a small business owner, here is my view.",
            "I am a lawyer and I have some remarks.", "I teach at a rural school.", "Comment from a foreign investor.",
        ],
        "claim": [
            "{eref} places an extra burden on small businesses.",
            "{eref} contradicts the Constitution of the Republic of Kazakhstan.",
            "{eref} is open to arbitrary interpretation.", "The fine in {eref} is set at {n} MCI, which is excessive.",
            "{eref} does not say who carries out the monitoring.",
            "The review period in {eref} is {n} working days, which is not enough.",
            "{eref} ignores the interests of rural residents.", "{eref} makes licensing even more complicated.",
            "The term authorised body is not defined anywhere in the draft.",
            "The transition period is too short: nobody will be ready before {year}.",
            "There is still no infrastructure for separate waste collection.", "The akimat gets far too broad powers.",
        ],
        "reason": [
            "Internet access in villages is still poor.", "Small businesses simply do not have that money.",
            "This invites corruption.", "Local akimats lack qualified staff.",
            "Neighbouring countries tried this and it failed.", "People have not been told about these changes.",
            "No extra funding from the budget is planned.", "The nearest landfill is {n} km away from us.",
        ],
        "proposal": [
            "I suggest extending the transition period to {n} months.", "Please delete this paragraph.",
            "The standards should be made specific, with clear criteria.",
            "Applications should be accepted through the e-government portal.",
            "Approval by the maslikhat should be required.", "The fine should be reduced to {n} MCI.",
            "Start with a pilot in one region first.", "Please redraft {eref}.",
            "Let the rule apply from 1 January {year}.",
        ],
        "closer": [
            "Thank you.", "Thanks for your attention!", "Hope this will be taken into account.", "Regards, {ename}.",
            "Looking forward to your reply.",
        ],
        "link": ["More details: {url}", "See {url}", "Source: {url}"],
        "quote": [
            "The Russian text of {eref} says «{quote_ru}», but the English translation says something different.",
            "{eref} reads: «{quote_ru}». This wording is too broad and should be narrowed.",
            'In {eref} the words "{quote_ru}" are vague. Who decides what this means?',
            "Please replace «{quote_ru}» with a precise deadline.",
            "I support the idea, but «{quote_ru}» leaves too much to the authorised body.",
            'The phrase "{quote_ru}" should be defined in Article 1.',
            "The Kazakh version says «{quote_kk}», which does not match the Russian one.",
        ],
    },
}
# fmt: on

# How often each kind of comment is written; quoting ones are the point of the exercise, so they are plentiful.
KINDS = {"short": 0.2, "long": 0.4, "link": 0.1, "quote": 0.3}


@dataclass(frozen=True)
class Sample:
    lang: str
    kind: str
    body: str


def _fill(template: str, rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: rng.choice(SLOTS[match[1]]), template)


def _pick(lang: str, part: str, rng: random.Random) -> str:
    return _fill(rng.choice(PHRASES[lang][part]), rng)


def _body(lang: str, kind: str, rng: random.Random) -> str:
    if kind == "short":
        return _pick(lang, "short", rng)
    parts = [_pick(lang, "opener", rng)] if rng.random() < 0.5 else []
    if kind == "quote":
        parts.append(_pick(lang, "quote", rng))
    parts.append(_pick(lang, "claim", rng))
    for part, chance in (("reason", 0.6), ("proposal", 0.6), ("closer", 0.4)):
        if rng.random() < chance:
            parts.append(_pick(lang, part, rng))
    if kind == "link":
        parts.insert(rng.randrange(1, len(parts) + 1), _pick(lang, "link", rng))
    separator = rng.choice([" ", " ", "\n", "\n\n"])
    return separator.join(parts)


def _typed(body: str, lang: str, rng: random.Random) -> str:
    """Add what people do when typing: lower case, no final stop, exclamation marks, Latin i for Kazakh і."""
    roll = rng.random()
    if roll < 0.05:
        body = body.lower()
    elif roll < 0.1:
        body = body.rstrip(".!")
    elif roll < 0.13:
        body = body.rstrip(".") + "!!!"
    if lang == "kk" and rng.random() < 0.05:
        body = body.replace("і", "i")
    return body


def generate(per_lang: int = 300, seed: int = 12) -> list[Sample]:
    """Return per_lang labelled comment bodies in each language."""
    rng = random.Random(seed)
    samples = []
    for lang in LANGS:
        for _ in range(per_lang):
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            samples.append(Sample(lang, kind, _typed(_body(lang, kind, rng), lang, rng)))
    return samples


def _report(samples: list[Sample], found: list[str]) -> str:
    confusion = Counter((s.lang, got) for s, got in zip(samples, found, strict=True))
    lines = ["confusion (written → detected):"]
    lines += [f"  {lang}: " + ", ".join(f"{got} {confusion[lang, got]}" for got in LANGS) for lang in LANGS]
    misses = Counter((s.lang, s.kind, got) for s, got in zip(samples, found, strict=True) if got != s.lang)
    lines += [f"  missed {lang}/{kind} → {got}: {count}" for (lang, kind, got), count in misses.most_common()]
    lines += [f"  e.g. {s.lang} → {got}: {s.body!r}" for s, got in zip(samples, found, strict=True) if got != s.lang][
        :15
    ]
    return "\n".join(lines)


def test_corpus_is_large_and_varied():
    samples = generate()
    assert len(samples) >= 600
    kinds = Counter((s.lang, s.kind) for s in samples)
    assert all(kinds[lang, kind] >= 20 for lang in LANGS for kind in KINDS)
    assert len({s.body for s in samples}) > 0.8 * len(samples)


def test_language_of_the_body_is_right_for_98_percent():
    samples = generate()
    found = [detect_language(clean_text(s.body)) for s in samples]
    right = Counter(s.lang for s, got in zip(samples, found, strict=True) if got == s.lang)
    total = Counter(s.lang for s in samples)
    shares = {lang: right[lang] / total[lang] for lang in LANGS}
    overall = sum(right.values()) / len(samples)
    assert min(shares.values()) >= REQUIRED and overall >= REQUIRED, _report(samples, found)


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("Please replace «в разумный срок» with «в течение десяти рабочих дней».", "en"),
        ("В казахском тексте «уәкілетті органмен келісім бойынша» переведено неточно.", "ru"),
        # A comment that is nothing but a quote is judged by the quote; a link is not the author's English.
        ("«Настоящий Закон вводится в действие по истечении шести месяцев»", "ru"),
        ("Қараңыз: https://www.gov.kz/memleket/entities/ecogeo/press/news", "kk"),
    ],
)
def test_quotes_and_links_are_not_the_authors_words(body, lang):
    assert detect_language(body) == lang


def test_english_comment_quoting_russian_wording_is_english(create_user, article):
    """The body is English although it quotes the draft and proposes a Russian wording."""
    result = post_comment(
        author=create_user(),
        section=article,
        body="Please replace «в разумный срок» with a precise deadline, e.g. 10 working days.",
        stance="amend",
        proposed_wording="Жалоба рассматривается в течение десяти рабочих дней со дня её поступления.",
        client_token=uuid.uuid4().hex,
    )
    assert (result.comment.lang, result.comment.lang_detected) == ("en", "en")
