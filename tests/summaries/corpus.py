# ruff: noqa: E501 (phrase tables read better one phrase per line than wrapped)
"""A generated consultation with known topics: comments in Kazakh, Russian and English, and noise.

Each topic belongs to an article of the demo draft "On public discussion of draft regulatory legal acts" and is
written, in each language, as several ways of making the same point (claims), reasons and proposals; a comment
joins an opener, one claim, often a reason and a proposal, and a closer, picking among {alternatives|inside} the
phrases. Noise is comments that say nothing about the article (thanks, praise of the whole law, off-topic
complaints). The builder never sees the labels: tests compare its themes with them.

Used by tests/summaries/ and bench/summaries.py.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

LANGS = ("kk", "ru", "en")
NOISE = "noise"


@dataclass(frozen=True)
class Topic:
    label: str
    article: str  # the article's number in the demo draft
    stance: str  # the usual stance of its comments (others occur)
    claims: dict[str, list[str]]
    reasons: dict[str, list[str]]
    proposals: dict[str, list[str]]


@dataclass
class GeneratedComment:
    label: str  # the topic, or NOISE
    number: str  # "14" or "14.2": where the comment was left
    lang: str
    stance: str
    body: str
    proposed_wording: str | None = None


OPENERS = {
    "kk": ["Құрметті әзірлеушілер!", "Менің ойымша,", "Азамат ретінде айтарым:", "Сәлеметсіз бе.", "Пікірімді білдіремін.",
           "Жобаны оқып шықтым.", ""],
    "ru": ["Уважаемые разработчики!", "На мой взгляд,", "Как гражданин хочу сказать:", "Здравствуйте.",
           "Прочитал проект внимательно.", "Выскажу своё мнение.", ""],
    "en": ["Dear drafters,", "In my view,", "As a citizen I want to say this:", "Hello.", "I have read the draft.",
           "Here is my opinion.", ""],
}  # fmt: skip
CLOSERS = {
    "kk": ["Рахмет.", "Ескеруіңізді сұраймын.", "Осы пікірді ескеріңіздер.", "", ""],
    "ru": ["Спасибо.", "Прошу учесть.", "Надеюсь, меня услышат.", "", ""],
    "en": ["Thank you.", "Please take this into account.", "I hope this is heard.", "", ""],
}

TOPICS = [
    Topic(
        "deadline-too-short", "14", "oppose",
        claims={
            "kk": ["Он жұмыс күні жобаны {оқып шығуға|талдауға|зерделеуге} {тым аз|жеткіліксіз|өте қысқа мерзім}.",
                   "Талқылау мерзімі {тым қысқа|өте қысқа|жеткіліксіз}, {азаматтар|қарапайым адамдар} үлгермейді.",
                   "Он күн ішінде {күрделі|көлемді} заң жобасын {түсіну|талдау} мүмкін емес."],
            "ru": ["Десять рабочих дней {слишком мало|явно недостаточно|мало} для {изучения|анализа} проекта.",
                   "Срок обсуждения {слишком короткий|чересчур короткий|недостаточный}, {граждане|люди} не успевают.",
                   "За десять дней невозможно {разобраться в|изучить} {объёмный|сложный} законопроект."],
            "en": ["Ten working days is {far too short|not enough|too little time} to {study|analyse} a draft.",
                   "The discussion period is {too short|much too short}; {citizens|ordinary people} cannot keep up.",
                   "Nobody can {understand|study} a {long|complex} draft law in ten days."],
        },
        reasons={
            "kk": ["Жұмыс істейтін адамдарда {уақыт|бос уақыт} аз.", "Заңгердің кеңесін алуға да уақыт керек."],
            "ru": ["У работающих людей {мало|почти нет} свободного времени.",
                   "Нужно время, чтобы посоветоваться с юристом."],
            "en": ["Working people have {little|hardly any} free time.", "It takes time to ask a lawyer for advice."],
        },
        proposals={
            "kk": ["Мерзімді {кемінде|ең аз дегенде} {отыз|жиырма} жұмыс күніне дейін ұзарту керек.",
                   "Талқылау мерзімін {ұзартуды|екі есе ұзартуды} ұсынамын."],
            "ru": ["Предлагаю продлить срок {хотя бы|как минимум} до {тридцати|двадцати} рабочих дней.",
                   "Срок обсуждения нужно {увеличить|удлинить} {вдвое|хотя бы до месяца}."],
            "en": ["I propose extending the period to {at least|no less than} {thirty|twenty} working days.",
                   "The period should be {extended|doubled} to a full month."],
        },
    ),
    Topic(
        "deadline-holidays", "14", "amend",
        claims={
            "kk": ["{Мереке|Демалыс} күндері мен {жазғы демалыс|каникул} кезеңі талқылау мерзіміне кірмеуі тиіс.",
                   "Жобалар {жиі|әдейі} мерекелер {алдында|кезінде} жарияланады, сондықтан ешкім үлгермейді.",
                   "Жаңа жыл мен Наурыз мерекесі кезінде талқылау мерзімін тоқтата тұру керек."],
            "ru": ["{Праздничные|Выходные} дни и {период отпусков|летние отпуска} не должны входить в срок обсуждения.",
                   "Проекты {часто|намеренно} публикуют {перед|во время} праздников, и никто не успевает.",
                   "На время новогодних праздников и Наурыза срок обсуждения нужно приостанавливать."],
            "en": ["{Public holidays|Holidays} and the {summer vacation|holiday season} should not count toward the period.",
                   "Drafts are {often|deliberately} published {right before|during} holidays, so nobody has time.",
                   "The period should be paused over the New Year and Nauryz holidays."],
        },
        reasons={
            "kk": ["Мереке кезінде адамдар {отбасымен|туыстарымен} болады."],
            "ru": ["В праздники люди {заняты семьёй|уезжают к родственникам}."],
            "en": ["During holidays people are {with their families|travelling}."],
        },
        proposals={
            "kk": ["Мерекелік күндер {есептелмейді|мерзімге кірмейді} деген норма қосу керек."],
            "ru": ["Нужно прямо указать, что праздничные дни {не засчитываются|не включаются} в срок."],
            "en": ["Add a rule that holidays {do not count|are excluded} from the period."],
        },
    ),
    Topic(
        "translation-quality", "15", "oppose",
        claims={
            "kk": ["Жобаның қазақша мәтіні {нашар аударылған|сапасыз аударма|түсініксіз аударылған}.",
                   "Қазақ тіліндегі нұсқа орыс тілінен {сөзбе-сөз|машинамен} аударылған, {оқу қиын|түсіну қиын}.",
                   "Мемлекеттік тілдегі мәтін {түпнұсқа|негізгі мәтін} болуы керек, аударма емес."],
            "ru": ["Казахский текст проекта {плохо переведён|переведён некачественно|переведён с ошибками}.",
                   "Казахская версия переведена с русского {дословно|машинным переводом}, её {трудно|невозможно} читать.",
                   "Текст на государственном языке должен быть {оригиналом|исходным текстом}, а не переводом."],
            "en": ["The Kazakh text of the draft is {badly translated|a poor translation|full of translation errors}.",
                   "The Kazakh version was translated {word for word|by machine} from Russian and is {hard|painful} to read.",
                   "The text in the state language should be the {original|source text}, not a translation."],
        },
        reasons={
            "kk": ["Аударма қателері заңды {әртүрлі түсінуге|екіұшты оқуға} әкеледі."],
            "ru": ["Ошибки перевода ведут к {разному толкованию|двусмысленности} норм."],
            "en": ["Translation errors lead to {different readings|ambiguity} of the rules."],
        },
        proposals={
            "kk": ["Аударманы {кәсіби лингвистер|заң тілінің мамандары} тексеруі керек."],
            "ru": ["Перевод должны проверять {профессиональные лингвисты|специалисты по юридическому языку}."],
            "en": ["The translation should be checked by {professional linguists|legal language experts}."],
        },
    ),
    Topic(
        "english-version", "15", "amend",
        claims={
            "kk": ["Жобаны ағылшын тілінде де {жариялау|орналастыру} керек.",
                   "Шетелдік инвесторлар заң жобаларын ағылшын тілінде {оқи алуы|талқылай алуы} тиіс.",
                   "Ағылшынша нұсқа {халықаралық серіктестерге|шетелдік компанияларға} қажет."],
            "ru": ["Проект нужно {публиковать|размещать} также на английском языке.",
                   "Иностранные инвесторы должны иметь возможность {читать|обсуждать} проекты на английском.",
                   "Английская версия нужна {международным партнёрам|иностранным компаниям}."],
            "en": ["The draft should also be {published|posted} in English.",
                   "Foreign investors should be able to {read|comment on} drafts in English.",
                   "An English version is needed for {international partners|foreign companies}."],
        },
        reasons={
            "kk": ["Бұл {инвестициялық ахуалды|елдің беделін} жақсартады."],
            "ru": ["Это улучшит {инвестиционный климат|репутацию страны}."],
            "en": ["It would improve the {investment climate|country's reputation}."],
        },
        proposals={
            "kk": ["Ағылшын тіліндегі ресми емес аударманы қоса жариялауды ұсынамын."],
            "ru": ["Предлагаю размещать неофициальный перевод на английский язык."],
            "en": ["I suggest posting an unofficial English translation alongside."],
        },
    ),
    Topic(
        "anonymous-comments", "22", "oppose",
        claims={
            "kk": ["Пікір қалдырушының {аты-жөнін|тегі мен атын} {жария етуге|жариялауға} болмайды.",
                   "Азаматтар {жасырын|анонимді} түрде пікір қалдыра алуы керек.",
                   "Аты-жөні жарияланатын болса, адамдар {сынауға қорқады|шынын айтпайды}."],
            "ru": ["{Имя|ФИО} автора замечания {нельзя публиковать|не должно публиковаться}.",
                   "Гражданам нужно разрешить оставлять замечания {анонимно|без указания имени}.",
                   "Если публиковать имена, люди {побоятся критиковать|не будут писать честно}."],
            "en": ["The {name|full name} of a commenter {must not be published|should never be made public}.",
                   "Citizens should be allowed to comment {anonymously|without giving their name}.",
                   "If names are published, people will be {afraid to criticise|less honest}."],
        },
        reasons={
            "kk": ["Жұмыс берушінің {қысымынан|қудалауынан} қорғау керек."],
            "ru": ["Людей нужно защитить от {давления|преследования} работодателя."],
            "en": ["People need protection from {pressure|retaliation} by employers."],
        },
        proposals={
            "kk": ["Аты-жөні тек әзірлеушіге ғана көрінетін болсын."],
            "ru": ["Пусть имя видит только разработчик, а не все посетители."],
            "en": ["Let only the drafting agency see the name, not every visitor."],
        },
    ),
    Topic(
        "data-retention", "22", "amend",
        claims={
            "kk": ["Қатысушылардың дербес деректерін сақтау мерзімін {шектеу|нақты белгілеу} керек.",
                   "Талқылау аяқталған соң дербес деректер {жойылуы|өшірілуі} тиіс.",
                   "Заңда деректерді қанша уақыт сақтайтыны {жазылмаған|көрсетілмеген}."],
            "ru": ["Срок хранения персональных данных участников нужно {ограничить|чётко установить}.",
                   "После окончания обсуждения персональные данные должны {удаляться|уничтожаться}.",
                   "В законе не {сказано|указано}, сколько времени хранятся данные участников."],
            "en": ["The retention period for participants' personal data must be {limited|set clearly}.",
                   "Personal data should be {deleted|destroyed} once the discussion is over.",
                   "The law does not {say|specify} how long participants' data are kept."],
        },
        reasons={
            "kk": ["Деректердің {жылыстауы|ұрлануы} қаупі бар."],
            "ru": ["Есть риск {утечки|кражи} данных."],
            "en": ["There is a risk of a data {leak|breach}."],
        },
        proposals={
            "kk": ["Деректерді бір жылдан артық сақтамау туралы норма қосыңыздар."],
            "ru": ["Добавьте норму: данные хранятся не более одного года."],
            "en": ["Add a rule that data are kept for no longer than one year."],
        },
    ),
    Topic(
        "moderation-censorship", "23", "oppose",
        claims={
            "kk": ["Модераторлар {сын пікірлерді|сыни ескертулерді} {жояды|жарияламайды}.",
                   "Пікірді қабылдамау себебі {әрқашан|міндетті түрде} түсіндірілуі керек.",
                   "Модерация {цензураға|сынды басуға} айналмауы тиіс."],
            "ru": ["Модераторы {удаляют|не пропускают} {критические замечания|критику}.",
                   "Причина отклонения замечания должна {всегда|обязательно} объясняться автору.",
                   "Модерация не должна превращаться в {цензуру|подавление критики}."],
            "en": ["Moderators {remove|block} {critical comments|criticism}.",
                   "The reason for rejecting a comment must {always|in every case} be explained to its author.",
                   "Moderation must not turn into {censorship|suppression of criticism}."],
        },
        reasons={
            "kk": ["Әйтпесе талқылауға {сенім|сенім артуға негіз} қалмайды."],
            "ru": ["Иначе {доверия|веры} к обсуждению не будет."],
            "en": ["Otherwise nobody will {trust|believe in} the discussion."],
        },
        proposals={
            "kk": ["Модератордың шешіміне шағымдану құқығын енгізу керек."],
            "ru": ["Нужно ввести право обжаловать решение модератора."],
            "en": ["There must be a right to appeal a moderator's decision."],
        },
    ),
    Topic(
        "moderation-speed", "23", "amend",
        claims={
            "kk": ["Пікірлер {модерациядан|тексеруден} {тым ұзақ|бірнеше күн} өтеді.",
                   "Модерация мерзімі {бір жұмыс күнінен|жиырма төрт сағаттан} аспауы керек.",
                   "Пікірім {үш күн|бір апта} бойы жарияланбай тұрды."],
            "ru": ["Замечания {слишком долго|по несколько дней} висят на модерации.",
                   "Срок модерации не должен превышать {одного рабочего дня|двадцати четырёх часов}.",
                   "Моё замечание {три дня|неделю} не публиковали."],
            "en": ["Comments sit in moderation {far too long|for days}.",
                   "Moderation should take no more than {one working day|twenty-four hours}.",
                   "My comment was not published for {three days|a week}."],
        },
        reasons={
            "kk": ["Мерзім {өтіп кетеді|аяқталып қалады}, пікір ескерілмейді."],
            "ru": ["Пока идёт модерация, срок обсуждения {истекает|заканчивается}."],
            "en": ["By the time it is approved the period has {ended|run out}."],
        },
        proposals={
            "kk": ["Модерацияның нақты мерзімін заңда белгілеңіздер."],
            "ru": ["Установите в законе точный срок модерации."],
            "en": ["Set an exact moderation deadline in the law."],
        },
    ),
    Topic(
        "individual-answers", "26", "oppose",
        claims={
            "kk": ["Әзірлеуші әр ескертуге {жеке|нақты} жауап беруі керек, {үлгі жауап|шаблон} емес.",
                   "«Ескерілді» немесе «қабылданбады» деген {бір сөзді|қысқа} жауаптар {жеткіліксіз|мазмұнсыз}.",
                   "Жауапта {ескертуді неге қабылдамағаны|бас тарту себебі} {толық|нақты} түсіндірілуі тиіс."],
            "ru": ["Разработчик должен отвечать на каждое замечание {по существу|конкретно}, а не {шаблоном|отпиской}.",
                   "Ответы {в одно слово|из одного слова} «учтено» или «не принято» {ничего не объясняют|бессодержательны}.",
                   "В ответе нужно {подробно|чётко} объяснять причину отказа."],
            "en": ["The agency must answer each comment {on its merits|specifically}, not with a {template|form reply}.",
                   "{One-word|Single-word} answers such as \"noted\" or \"rejected\" {explain nothing|are empty}.",
                   "An answer should explain the reason for a refusal {in full|clearly}."],
        },
        reasons={
            "kk": ["Әйтпесе азаматтар пікір жазуды {қояды|тоқтатады}."],
            "ru": ["Иначе люди {перестанут|больше не будут} писать замечания."],
            "en": ["Otherwise people will {stop|give up} writing comments."],
        },
        proposals={
            "kk": ["Жауаптың міндетті мазмұнын заңда көрсету керек."],
            "ru": ["Нужно закрепить в законе обязательное содержание ответа."],
            "en": ["The law should set out what every answer must contain."],
        },
    ),
    Topic(
        "regional-hearings", "18", "support",
        claims={
            "kk": ["Қоғамдық тыңдаулар тек астанада емес, {өңірлерде|облыстарда|ауылдарда} де өтуі керек.",
                   "{Ауыл|Аудан} тұрғындары тыңдауларға {қатыса алмайды|бара алмайды}, олар {алыс|қалада} өтеді.",
                   "Тыңдауларды {әр облыста|аудан орталықтарында} өткізу {дұрыс|қажет}."],
            "ru": ["Публичные слушания нужно проводить не только в столице, но и в {регионах|областях|сёлах}.",
                   "Жители {сёл|районов} не могут {попасть|приехать} на слушания, их проводят {далеко|в городе}.",
                   "Слушания {правильно|нужно} проводить в {каждой области|районных центрах}."],
            "en": ["Public hearings should take place in the {regions|provinces|villages}, not only in the capital.",
                   "People in {villages|rural districts} cannot {attend|travel to} hearings held {far away|in the city}.",
                   "It is {right|necessary} to hold hearings in {every region|district centres}."],
        },
        reasons={
            "kk": ["Заң бүкіл елге, {ауылға да|өңірлерге де} қатысты."],
            "ru": ["Закон касается всей страны, {в том числе села|и регионов тоже}."],
            "en": ["The law affects the whole country, {rural areas too|the regions as well}."],
        },
        proposals={
            "kk": ["Әр облыс орталығында кемінде бір тыңдау өткізу керек."],
            "ru": ["В каждом областном центре должно пройти хотя бы одно слушание."],
            "en": ["At least one hearing should be held in every regional centre."],
        },
    ),
    Topic(
        "online-broadcast", "18", "support",
        claims={
            "kk": ["Тыңдауларды {интернетте|онлайн} {тікелей көрсету|трансляциялау} керек.",
                   "Тыңдаудың {бейнежазбасын|видеосын} порталда жариялау {қажет|керек}.",
                   "Онлайн қатысып, {сұрақ қоюға|пікір айтуға} мүмкіндік беріңіздер."],
            "ru": ["Слушания нужно {транслировать|показывать} {в интернете|онлайн} в прямом эфире.",
                   "{Видеозапись|Запись} слушаний {нужно|следует} публиковать на портале.",
                   "Дайте возможность участвовать онлайн и {задавать вопросы|выступать} дистанционно."],
            "en": ["Hearings should be {streamed|broadcast} {online|on the internet} live.",
                   "A {video recording|recording} of each hearing {should|must} be published on the portal.",
                   "Let people take part online and {ask questions|speak} remotely."],
        },
        reasons={
            "kk": ["Көп адам {жұмыста|алыста} болғандықтан келе алмайды."],
            "ru": ["Многие не могут прийти, потому что {на работе|живут далеко}."],
            "en": ["Many cannot come because they {are at work|live far away}."],
        },
        proposals={
            "kk": ["Әр тыңдаудың бейнежазбасын бір апта ішінде жариялау міндетті болсын."],
            "ru": ["Обязать публиковать видеозапись каждого слушания в течение недели."],
            "en": ["Require the video of each hearing to be published within a week."],
        },
    ),
]  # fmt: skip

NOISE_TEXTS = {
    "kk": ["Жақсы заң, {толық қолдаймын|бәрі дұрыс}.", "Пікір айтуға мүмкіндік бергендеріңізге рахмет.",
           "Біздің {көшедегі|аудандағы} жолды қашан жөндейді?", "Коммуналдық тарифтер {тым жоғары|қымбаттап кетті}.",
           "{Бәріне|Барлығыңызға} сәттілік тілеймін!", "Зейнетақы {аз|жетпейді}, соны көтеру керек."],
    "ru": ["Хороший закон, {полностью поддерживаю|всё правильно}.", "Спасибо за возможность высказаться.",
           "Когда отремонтируют дорогу на нашей {улице|районе}?", "Тарифы на коммунальные услуги {слишком высокие|растут}.",
           "Всем {удачи|успехов}!", "Пенсии {маленькие|не хватает}, их нужно повышать."],
    "en": ["A good law, {I fully support it|all correct}.", "Thank you for the chance to speak up.",
           "When will the road in our {street|district} be repaired?", "Utility tariffs are {too high|rising again}.",
           "Good luck to {everyone|all of you}!", "Pensions are {too low|not enough} and should be raised."],
}  # fmt: skip

_CHOICE = re.compile(r"\{([^{}]*)\}")
STANCES = ("support", "oppose", "neutral", "amend")


def expand(template: str, rng: random.Random) -> str:
    """Replace each {a|b|c} with one of its alternatives."""
    return _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)


def _comment(topic: Topic, lang: str, rng: random.Random) -> str:
    parts = [rng.choice(OPENERS[lang]), expand(rng.choice(topic.claims[lang]), rng)]
    if rng.random() < 0.7:
        parts.append(expand(rng.choice(topic.reasons[lang]), rng))
    if rng.random() < 0.5:
        parts.append(expand(rng.choice(topic.proposals[lang]), rng))
    parts.append(rng.choice(CLOSERS[lang]))
    text = " ".join(p for p in parts if p)
    if rng.random() < 0.1:
        text = text.lower().rstrip(".")  # typed in a hurry
    return text


def _stance(topic: Topic, rng: random.Random) -> str:
    return topic.stance if rng.random() < 0.8 else rng.choice(STANCES)


def generate(
    n: int,
    seed: int = 1,
    noise: float = 0.1,
    langs: tuple[str, ...] = LANGS,
    topics: list[Topic] | None = None,
    points: float = 0.3,
) -> Iterator[GeneratedComment]:
    """Yield n labelled comments spread over the topics' articles; `points` of them on a point of the article."""
    rng = random.Random(seed)
    topics = topics or TOPICS
    articles = sorted({t.article for t in topics}, key=int)
    for _ in range(n):
        lang = rng.choice(langs)
        if rng.random() < noise:
            article = rng.choice(articles)
            label, stance = NOISE, rng.choice(("support", "neutral"))
            body = expand(rng.choice(NOISE_TEXTS[lang]), rng)
        else:
            topic = rng.choice(topics)
            article, label, stance = topic.article, topic.label, _stance(topic, rng)
            body = _comment(topic, lang, rng)
        number = f"{article}.{rng.randint(1, 2)}" if rng.random() < points else article
        wording = None
        if stance == "amend" and label != NOISE and rng.random() < 0.6:
            wording = expand(rng.choice(topic.proposals[lang]), rng)
        yield GeneratedComment(label, number, lang, stance, body, wording)
