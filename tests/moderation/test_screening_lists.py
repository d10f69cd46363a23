"""The insult word lists: the forms and evasions of insults are flagged, ordinary comments on draft laws are not."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.moderation import profanity
from app.moderation.models import CommentScreening
from app.moderation.profanity import WORDLIST_DIR, WORDLIST_LANGUAGES, entries, find_profanity, word_list
from app.moderation.screening import screen

# --- what the issue reported missing, with its forms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Депутаты — тупые бездари!", ["бездари"]),
        ("Сендер надансыңдар", ["надансыңдар"]),
        ("Бұл миғұла шенеуніктер", ["миғұла"]),
        ("Stupid clowns wrote this.", ["stupid clowns"]),
        # What was already flagged still is.
        ("дураки, кретины и morons", ["дураки", "кретины", "morons"]),
    ],
)
def test_the_reported_misses_are_flagged(text, words):
    assert find_profanity(text) == words
    assert "profanity" in screen(text).hints


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # Russian: nouns in their cases and numbers
        ("бездарь, бездарей, бездарям, бездарями", ["бездарь", "бездарей", "бездарям", "бездарями"]),
        ("дурак, дураков, дуракам", ["дурак", "дураков", "дуракам"]),
        ("кретин, кретинов, кретинам", ["кретин", "кретинов", "кретинам"]),
        ("идиоты и идиотов", ["идиоты", "идиотов"]),
        ("дебилы, придурки, придурок", ["дебилы", "придурки", "придурок"]),
        ("урод, уродов, уродами", ["урод", "уродов", "уродами"]),
        ("мразь и мрази", ["мразь", "мрази"]),
        ("быдло и быдлом", ["быдло", "быдлом"]),
        ("олухи, болваны, подлецы, негодяи", ["олухи", "болваны", "подлецы", "негодяи"]),
        ("выродки и отморозки", ["выродки", "отморозки"]),
        # Russian: adjectives and animals aimed at people
        ("тупые депутаты", ["тупые депутаты"]),
        ("для тупых чиновников", ["тупых чиновников"]),
        ("Тупой аким опять", ["тупой аким"]),
        ("Ты тупой?", ["ты тупой"]),
        ("Вы что, тупые?", ["вы что тупые"]),
        ("Вы бараны", ["вы бараны"]),
        ("ты скотина", ["ты скотина"]),
        ("эти клоуны из министерства", ["эти клоуны"]),
        ("мерзкие чиновники", ["мерзкие чиновники"]),
        # Kazakh: plural, case, possessive and personal endings
        ("надан, надандар, наданға, наданды", ["надан", "надандар", "наданға", "наданды"]),
        ("надандардың ісі", ["надандардың"]),
        ("миғұлалар мен миғұлаға", ["миғұлалар", "миғұлаға"]),
        ("ақымақтар, ақымаққа", ["ақымақтар", "ақымаққа"]),
        ("мисыздар", ["мисыздар"]),
        ("малғұндарға", ["малғұндарға"]),
        ("оңбағандар", ["оңбағандар"]),
        ("жексұрындар", ["жексұрындар"]),
        ("Сен есексің!", ["есексің"]),
        ("Сендер есексіңдер, итсіңдер", ["есексіңдер", "итсіңдер"]),
        ("дүмшелер", ["дүмшелер"]),
        ("Миың жоқ па?", ["миың жоқ"]),
        ("Иттің баласы", ["иттің баласы"]),
        # English
        ("idiot, idiots, moron, morons", ["idiot", "idiots", "moron", "morons"]),
        ("stupid people", ["stupid people"]),
        ("you clowns", ["you clowns"]),
        ("You're stupid", ["you re stupid"]),
        ("you are such losers", ["you are such losers"]),
        ("these clowns", ["these clowns"]),
        ("a bunch of clowns", ["bunch of clowns"]),
        ("clowns in parliament", ["clowns in parliament"]),
        ("dumb bureaucrats", ["dumb bureaucrats"]),
        ("imbeciles and scumbags", ["imbeciles", "scumbags"]),
        ("nitwits, halfwits, cretins", ["nitwits", "halfwits", "cretins"]),
    ],
)
def test_inflected_forms_are_flagged(text, words):
    assert find_profanity(text) == words


# --- what was flagged before -------------------------------------------------------------------------------------


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


# --- evasions ----------------------------------------------------------------------------------------------------


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
        # The evasions
        ("дурaк", ["дурак"]),  # a Latin a
        ("тупыe бeздари", ["бездари"]),  # Latin e twice
        ("д у р а к", ["дурак"]),  # letters spaced out
        ("Д.У.Р.А.К.", ["дурак"]),
        ("д-у-р-а-к, д_у_р_а_к", ["дурак"]),
        ("н а д а н", ["надан"]),
        ("i d i o t", ["idiot"]),
        ("дураааак", ["дураааак"]),  # letters repeated
        ("stuuupid clowwwns", ["stuuupid clowwwns"]),
        ("ид10т", ["идиот"]),  # digits for letters
        ("6ездари", ["бездари"]),
        ("id10t", ["idiot"]),
        ("m0r0n", ["moron"]),
        ("sh1t", ["shit"]),
        ("надaн", ["надан"]),  # a Latin a in a Kazakh word
        ("миғұлa", ["миғұла"]),
        ("на\u200bдан", ["надан"]),
        ("nadan", ["nadan"]),  # typed in Latin letters
        ("durak i debily", ["durak", "debily"]),
    ],
)
def test_evasions_are_seen_through(text, words):
    assert find_profanity(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "и т. д. и т. п.",  # abbreviations join into letters no list holds
        "т.е. в п. а, б, в",
        "Ж. Б. Смағұлов, А. С. Иванов",
        "U.S.A. and the E.U.",
        "2026ж. 5-бап",  # digits that are numbers, not letters
        "Форма А4, 3D-модель, COVID-19, 5G",
    ],
)
def test_what_looks_like_an_evasion_but_is_not(text):
    assert find_profanity(text) == []


# --- innocent text -----------------------------------------------------------------------------------------------

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

# Ordinary comments on draft laws, many holding a word that an insult starts with or folds into.
COMMENTS = [
    # Russian
    "Предлагаю уточнить пункт 3 статьи 12: тупой угол пандуса недопустим, уклон должен быть не более 5 процентов.",
    "Нельзя ослабить контроль за вывозом отходов: ослабление норм приведет к стихийным свалкам.",
    "Скотоводство и овцеводство требуют отдельной статьи о хранении навоза.",
    "Выражение «в разумный срок» — юридическая идиома, его лучше заменить числом рабочих дней.",
    "Клоунада в цирке и уличные представления не должны облагаться сбором за использование площадей.",
    "Как говорили римляне, дура лекс, сед лекс, но этот закон можно смягчить для малого бизнеса.",
    "На фермах держат баранов, козлов и свиней; вы баранов тоже учитываете в реестре?",
    "Вы свиней разводите или только птицу? От этого зависит размер субсидии.",
    "Козлы для распила дров и строительные леса не требуют сертификации.",
    "Если скотина содержится в личном подсобном хозяйстве, вакцинация должна быть бесплатной.",
    "Болванка ключа и заготовки для ключей не являются оружием.",
    "Эндемический кретинизм и дегенеративные заболевания суставов входят в перечень социально значимых.",
    "Баранина и говядина облагаются одинаковым налогом на добавленную стоимость.",
    "Дурман и другие ядовитые растения подлежат уничтожению на участках.",
    "Дурной пример подают чиновники, нарушающие сроки ответов на обращения.",
    "Реформа зашла в тупик: тупиковые улицы не попадают в график вывоза мусора.",
    "Жидкие бытовые отходы вывозятся ассенизационными машинами по графику.",
    "Депутаты должны учесть мнение людей, а не только министерств.",
    "Уродливые рекламные щиты портят фасады, их размер нужно ограничить.",
    "Обезьяны и другие экзотические животные в частных домах — отдельная тема для закона.",
    "Вы, уважаемые разработчики, не учли интересы сельских акиматов.",
    "Поддоны и паллеты, включая поддонки для рассады, следует сдавать на переработку.",
    "Лохматые бездомные собаки на улицах — вопрос к акимату, а не к полиции.",
    "Гадание и магические услуги предлагаю запретить рекламировать.",
    "Придумать лучше формулировку несложно: «не позднее десяти рабочих дней».",
    "Необходимо ввести понятие «негодная тара» в статью 1.",
    "Вы же юристы, посмотрите на статью 5 ещё раз.",
    "Ослы и мулы используются в горных районах, их тоже нужно регистрировать.",
    # Kazakh
    "Заң жобасының 5-бабындағы есеп беру тәртібін нақтылау қажет.",
    "Есептеу әдістемесін әзірлеуші мемлекеттік орган бекітсін.",
    "Ауылда жүкті есекпен тасу әлі де кездеседі, бұл туралы бап қажет.",
    "Есектер мен түйелерді есепке алу тәртібі заңда жоқ.",
    "Сіз ит асырайсыз ба? Онда тіркеу ережесін оқыңыз.",
    "Малсыз отбасыларға субсидия берілмейді деген норма әділетсіз.",
    "Көршім шошқасын сатып, фермасын жапты.",
    "Доңыз жылы туралы ырымдардың заңға қатысы жоқ.",
    "Халықтың құқықтық надандығымен күресу үшін түсіндіру жұмысы керек.",
    "Надандықпен күрес — білім беру бағдарламасының міндеті.",
    "Маймылдар мен басқа жабайы жануарларды үйде ұстауға тыйым салу керек.",
    "Қойшылар мен малшылардың еңбекақысын көтеру туралы бап қосылсын.",
    "Мысық пен итті қоғамдық көлікте тасымалдау ережесі нақты емес.",
    "Жексенбі күні жиналыс өткізу ыңғайсыз, сенбіге ауыстырыңыз.",
    "Малдың басын азайту туралы норма шаруаларға зиян келтіреді.",
    "Топырақтың құнарлылығын сақтау туралы 12-бапты толықтыру керек.",
    "Арыз беру мерзімі отыз күн болуы тиіс.",
    "Тексеру нәтижелері жарияланбайды, бұл дұрыс емес.",
    "Жетекші ұйымның жетістіктері туралы есеп жыл сайын жариялансын.",
    "Мылтық сақтау тәртібі 3-тармақта нақтылануы қажет.",
    "Дүйсенбі күні әкімдікте қоғамдық тыңдау өтеді.",
    "Итсіз аулада балалар қауіпсіз ойнайды.",
    "Кәсіпкерлерге салық жеңілдігі бір жылға ұзартылсын.",
    "Қыз балалардың білім алу құқығы қорғалуы керек.",
    "Ақылды шешім: күшіне ену мерзімін бір жылға ұзарту.",
    "Жыныстық тәрбие сабақтары туралы норма нақтылансын.",
    # English
    "The drafting agency should clarify the obtuse angle requirement in Article 7.",
    "Circus clowns and street performers should be exempt from the licence fee.",
    "Can you fool the system by splitting one contract into three?",
    "You sheep farmers will pay more under Article 12.",
    "They are pig farmers and need a longer transition period.",
    "He is a monkey keeper at the city zoo and supports the amendment.",
    "This stupid rule on parking should be repealed.",
    "Deaf and dumb persons must have access to sign-language interpreters.",
    "Debilitating diseases should be covered by compulsory insurance.",
    "Twitter and other platforms must remove illegal content within 24 hours.",
    "Idioms like 'in due course' should be replaced with exact deadlines.",
    "Cretaceous fossils found during construction must be reported.",
    "Loser pays: the losing party covers the court costs.",
    "The bunch of amendments submitted by the ministry is too long.",
    "Pigs, sheep and donkeys must be registered with the veterinary service.",
    "Fools rush in, as the saying goes, so let us wait for the impact assessment.",
    "Vermin control in apartment blocks is the landlord's duty.",
    "What a clever solution to the waste problem!",
    "Glass and plastic bottles should be collected separately.",
    "You are right about Article 5, but Article 6 needs work.",
    "Ministers and MPs should publish their declarations.",
    "People in rural areas cannot reach the akimat website.",
    "Stupidity is not a legal term; negligence is.",
]


def test_there_are_enough_ordinary_comments():
    assert len(COMMENTS) >= 60
    assert len(set(COMMENTS)) == len(COMMENTS)


@pytest.mark.parametrize("sentence", INNOCENT + COMMENTS)
def test_innocent_sentences_are_not_flagged(sentence):
    assert find_profanity(sentence) == []
    assert "profanity" not in screen(sentence).hints


def test_empty_and_non_letter_text():
    assert find_profanity("") == []
    assert find_profanity("123 456, !!! 2026-11-23 ★") == []


# --- the word lists ----------------------------------------------------------------------------------------------


def list_lines(language: str) -> list[str]:
    lines = (WORDLIST_DIR / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize("language", WORDLIST_LANGUAGES)
def test_word_lists_are_well_formed(language):
    lines = list_lines(language)
    assert len(lines) == len(set(lines))
    assert all(line == line.lower() and "ё" not in line for line in lines)
    phrases = entries(language)
    assert len(phrases) >= 100
    assert all(re.fullmatch(r"[^\W\d_]+\*?(?: [^\W\d_]+\*?)*", phrase) for phrase in phrases)


@pytest.mark.parametrize("language", WORDLIST_LANGUAGES)
def test_every_entry_matches_itself(language):
    for entry in entries(language):
        words = " ".join(word.rstrip("*") for word in entry.split(" "))
        assert find_profanity(f"Ну {words} же") == [words], entry


@pytest.mark.parametrize("language", WORDLIST_LANGUAGES)
def test_every_exception_stops_a_stem(language):
    lexicon, _ = profanity._lexicon()
    for exception in word_list(language).exceptions:
        word = exception.rstrip("*")
        assert find_profanity(word) == [], exception
        # Without the exception an entry would catch it: otherwise the line is dead weight.
        assert any(lexicon.matching(folded) for _, folded in profanity._readings(word)), exception


def test_word_lists_load_once():
    assert profanity._lexicon() is profanity._lexicon()


@pytest.fixture
def own_lists(tmp_path, monkeypatch):
    """Point the word lists at a folder of the test's own; every language starts empty."""
    for language in WORDLIST_LANGUAGES:
        (tmp_path / f"{language}.txt").write_text("", encoding="utf-8")
    monkeypatch.setattr(profanity, "WORDLIST_DIR", tmp_path)
    profanity.clear_caches()
    yield tmp_path
    monkeypatch.undo()
    profanity.clear_caches()


def test_the_list_syntax(own_lists):
    (own_lists / "ru.txt").write_text(
        "# a comment\n"
        "@люди = депутат(|ы) аким(|ы)\n"
        "дурак(|и|ов)   # a comment at the end of a line\n"
        "туп(ой|ые) @люди\n"
        "кретин*\n"
        "!кретинизм*\n",
        encoding="utf-8",
    )
    assert entries("ru") == (
        "дурак", "дураки", "дураков",
        "тупой депутат", "тупой депутаты", "тупой аким", "тупой акимы",
        "тупые депутат", "тупые депутаты", "тупые аким", "тупые акимы",
        "кретин*",
    )  # fmt: skip
    assert word_list("ru").exceptions == ("кретинизм*",)
    assert find_profanity("дураки, дурака, тупые акимы, тупой угол, кретины, кретинизм") == [
        "дураки", "тупые акимы", "кретины",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("bad-entry", "not a word"),
        ("дурак(и|ов", "not a word"),
        ("ду2рак", "not a word"),
        ("two  spaces", "not a word"),
        ("туп(ой|ые) @нет", "unknown set"),
        ("(a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j)", "more than"),
    ],
)
def test_a_malformed_line_is_reported_with_its_number(own_lists, line, error):
    (own_lists / "en.txt").write_text(f"# comment\nfine\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"en.txt:3: {error}"):
        profanity._lexicon()


# --- in the moderation queue -------------------------------------------------------------------------------------


def test_the_hint_reaches_the_queue(client, as_moderator, article, create_comment):
    comment = create_comment(article, body="Депутаты — тупые бездари, писали не думая.", state="pending")
    row = db.session.scalar(select(CommentScreening).where(CommentScreening.comment_id == comment.id))
    assert row.profanity and row.hint_list == ["profanity"] and row.words == "бездари"
    html = client.get("/en/moderation/pending").get_data(as_text=True)
    assert "insults or obscenities" in html and "бездари" in html
