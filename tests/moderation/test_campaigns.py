"""Campaign detection: planted copy-paste campaigns are found exactly among thousands of varied comments."""

import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.moderation.minhash import (
    BANDS,
    MIN_SHINGLES,
    NUM_PERM,
    ROWS,
    THRESHOLD,
    _permute,
    bands,
    group,
    is_groupable,
    normalise,
    shingles,
    signature,
    similarity,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = 20240917

# ---------------------------------------------------------------------------------------------------------------
# Generated "other" comments. Many templates, each with many slots, sentence openers, and free word sequences:
# two comments then share a phrase or two, as two real people's opinions do, but never most of their text.


def _pool(text: str) -> list[str]:
    """Split a "|"-separated pool."""
    return [item.strip() for item in text.split("|")]


RU = {
    "subj": _pool(
        "Эта норма | Данная статья | Предлагаемая поправка | Новая редакция | Этот пункт | Законопроект | "
        "Такое регулирование | Предложенный порядок | Переходное положение | Вторая часть статьи | Новый штраф | "
        "Требование о лицензии | Обязательная регистрация | Электронная подача документов | Запрет на продажу"
    ),
    "pred": _pool(
        "ухудшает положение | защищает интересы | создает лишнюю нагрузку для | не учитывает потребности | "
        "упрощает жизнь | ограничивает права | усложняет работу | повышает расходы | противоречит интересам | "
        "реально поможет | оставляет без защиты | дает преимущество | бьет по карману | лишает льгот"
    ),
    "grp": _pool(
        "малого бизнеса | фермеров | пенсионеров | студентов | многодетных семей | сельских школ | врачей | "
        "водителей такси | индивидуальных предпринимателей | жителей аулов | арендаторов | учителей | "
        "людей с инвалидностью | местных акиматов | частных клиник | молодых специалистов | пчеловодов | "
        "строительных компаний | библиотек | перевозчиков | ветеринаров | торговцев на рынках"
    ),
    "topic": _pool(
        "налоговой отчетности | лицензирования | земельных участков | тарифов на воду | социальных пособий | "
        "государственных закупок | экологических проверок | регистрации транспорта | образовательных грантов | "
        "ипотеки | пастбищ | вывоза мусора | строительных разрешений | медицинского страхования | охоты | "
        "рыболовства | платных парковок | субсидий на топливо"
    ),
    "city": _pool(
        "Алматы | Астане | Шымкенте | Караганде | Актобе | Таразе | Павлодаре | Семее | Атырау | Костанае | "
        "Кызылорде | Уральске | Актау | Туркестане | Кокшетау | Талдыкоргане | Экибастузе | Жезказгане | Балхаше"
    ),
    "cons": _pool(
        "люди просто уйдут в тень | цены вырастут для всех | очереди в ЦОНах станут еще длиннее | "
        "бюджет потеряет налоги | молодежь уедет в города | жалоб в суды станет больше | "
        "чиновники получат лишние полномочия | небольшие хозяйства закроются | качество услуг упадет | "
        "контроль станет формальным | коррупционные риски возрастут | частные инвесторы уйдут | "
        "сельские жители останутся без помощи | половина заявок будет отклонена"
    ),
    "prof": _pool(
        "бухгалтером | учителем | фермером | юристом | врачом | инженером | водителем | экономистом | медсестрой"
    ),
    "country": _pool("Эстонии | Грузии | Сингапура | Канады | Узбекистана | Германии | Кореи | Финляндии | Польши"),
    "vague": _pool(
        "слишком расплывчата | допускает двойное толкование | не определяет сроки | не называет ответственный орган | "
        "противоречит Налоговому кодексу | не согласована со статьей о гарантиях | написана непонятным языком"
    ),
    "open": _pool(
        "По-моему, | Честно говоря, | Как мне кажется, | Думаю, | Обратите внимание: | Кроме того, | К тому же | "
        "Главное, | На практике | Скажу прямо: | Во-вторых, | И еще:"
    ),
    "support": _pool(
        "Поддерживаю идею в целом | В целом я за | Направление правильное | Сама цель понятна | Идея неплохая"
    ),
    "similar": _pool("похожую схему | такой же порядок | аналогичный эксперимент | подобные правила"),
    "shortlong": _pool("коротким | длинным | жестким"),
    "fine": _pool("слишком мягкий | неподъемный | смешной | несправедливый"),
}
RU_TEMPLATES = [
    "{subj} в статье {art} {pred} {grp}.",
    "Предлагаю изменить пункт {p} статьи {art}: срок в {n} дней слишком {shortlong} для {grp}.",
    "У нас в {city} {grp} уже страдают из-за {topic}, и если ничего не менять, {cons}.",
    "Непонятно, кто будет контролировать порядок {topic} и во сколько это обойдется бюджету.",
    "Считаю, что штраф в {n} МРП {fine} для {grp}.",
    "Нужно добавить исключение для {grp}, иначе {cons}.",
    "Я работаю {prof} {y} лет и вижу, что {subj_l} {pred} {grp}.",
    "{support}, но формулировка статьи {art} {vague}.",
    "Прошу разработчиков изучить опыт {country} в вопросах {topic}.",
    "Если принять пункт {p} в таком виде, {cons}.",
    "По моим подсчетам, расходы {grp} вырастут примерно на {pct} процентов.",
    "В {city} в {year} году уже пробовали {similar} для {topic}, и {cons}.",
    "Статья {art} вообще не касается {topic}, хотя именно там главная проблема.",
    "Мой сосед из {city} {y} лет ждет решения по {topic}.",
]
RU_FREE = (
    "закон право суд налог земля вода школа больница дорога цена тариф семья работа деньги время город село "
    "район область министр депутат комиссия решение вопрос проблема порядок контроль срок документ справка "
    "очередь бюджет граждане бизнес рынок доход расход отчет проверка штраф льгота пособие пенсия зарплата "
    "аренда кредит банк ипотека жилье дом квартира участок скот урожай зерно пастбище техника топливо "
    "электричество газ интернет связь транспорт автобус поезд больше меньше лучше хуже быстро медленно честно "
    "открыто справедливо сложно просто нужно важно опасно выгодно дорого дешево давно недавно всегда никогда "
    "предлагаю считаю думаю прошу требую сомневаюсь поддерживаю возражаю надеюсь боюсь знаю вижу слышал читал "
    "новый старый местный частный государственный сельский городской молодой пожилой честный открытый"
).split()

KK = {
    "subj": _pool(
        "Бұл норма | Осы бап | Ұсынылған түзету | Жаңа редакция | Бұл тармақ | Заң жобасы | Мұндай тәртіп | "
        "Өтпелі ереже | Жаңа айыппұл | Міндетті тіркеу | Лицензия талабы | Электрондық өтініш | Сатуға тыйым"
    ),
    "dat": _pool(
        "шаруаларға | зейнеткерлерге | студенттерге | көпбалалы отбасыларға | ауыл мектептеріне | дәрігерлерге | "
        "такси жүргізушілеріне | жеке кәсіпкерлерге | ауыл тұрғындарына | мұғалімдерге | жалға алушыларға | "
        "жас мамандарға | малшыларға | шағын бизнеске | жергілікті әкімдіктерге | құрылыс компанияларына | "
        "кітапханаларға | тасымалдаушыларға | ветеринарларға | базар саудагерлеріне"
    ),
    "nom": _pool(
        "шаруалар | зейнеткерлер | студенттер | көпбалалы отбасылар | дәрігерлер | жеке кәсіпкерлер | "
        "ауыл тұрғындары | мұғалімдер | жас мамандар | малшылар | ветеринарлар | тасымалдаушылар | саудагерлер"
    ),
    "gen": _pool(
        "шаруалардың | зейнеткерлердің | студенттердің | көпбалалы отбасылардың | дәрігерлердің | малшылардың | "
        "жеке кәсіпкерлердің | ауыл тұрғындарының | мұғалімдердің | жас мамандардың | тасымалдаушылардың"
    ),
    "pred": _pool(
        "қосымша жүктеме түсіреді | көмектеседі | кедергі келтіреді | шығынды көбейтеді | жеңілдік береді | "
        "әділетсіз болып көрінеді | қиындық тудырады | пайдалы болады | түсініксіз болып тұр | зиян келтіреді | "
        "артықшылық береді | жеңілдіктерден айырады"
    ),
    "topic": _pool(
        "жер телімдері | су тарифтері | салық есептілігі | мемлекеттік сатып алу | әлеуметтік жәрдемақы | "
        "жайылым | қоқыс шығару | құрылыс рұқсаты | білім гранттары | медициналық сақтандыру | аң аулау | "
        "балық аулау | ақылы тұрақ | жанармай субсидиясы"
    ),
    "city": _pool(
        "Алматыда | Астанада | Шымкентте | Қарағандыда | Ақтөбеде | Таразда | Павлодарда | Семейде | Атырауда | "
        "Қостанайда | Қызылордада | Оралда | Ақтауда | Түркістанда | Көкшетауда | Талдықорғанда | Жезқазғанда"
    ),
    "cons": _pool(
        "адамдар көлеңкелі экономикаға кетеді | бағалар бәріне қымбаттайды | кезектер ұзарады | "
        "бюджет салықтан айырылады | жастар қалаға көшіп кетеді | сотқа шағым көбейеді | "
        "шағын шаруашылықтар жабылады | қызмет сапасы төмендейді | сыбайлас жемқорлық қаупі артады | "
        "инвесторлар кетеді | ауыл тұрғындары көмексіз қалады | өтінімдердің жартысы қабылданбайды"
    ),
    "prof": _pool("бухгалтер | мұғалім | фермер | заңгер | дәрігер | инженер | жүргізуші | экономист | мейіргер"),
    "country": _pool("Эстония | Грузия | Сингапур | Канада | Өзбекстан | Германия | Корея | Финляндия | Польша"),
    "vague": _pool(
        "тым бұлыңғыр | екі түрлі түсінуге болады | мерзімді көрсетпейді | жауапты органды атамайды | "
        "Салық кодексіне қайшы келеді | түсініксіз тілмен жазылған | кепілдіктер туралы баппен үйлеспейді"
    ),
    "open": _pool(
        "Менің ойымша, | Шынымды айтсам, | Айта кету керек, | Сонымен қатар | Оның үстіне | Ең бастысы, | "
        "Іс жүзінде | Тура айтайын, | Екіншіден, | Тағы бір мәселе:"
    ),
    "support": _pool(
        "Идеяны жалпы қолдаймын | Жалпы мен қарсы емеспін | Бағыты дұрыс | Мақсаты түсінікті | Идея жаман емес"
    ),
    "similar": _pool("осыған ұқсас тәртіп | дәл осындай жүйе | ұқсас эксперимент | осындай ереже"),
    "shortlong": _pool("қысқа | ұзақ | қатаң"),
    "fine": _pool("ауыр | жеңіл | әділетсіз | күлкілі"),
}
KK_TEMPLATES = [
    "{subj} {art}-бапта {dat} {pred}.",
    "{art}-баптың {p}-тармағын өзгертуді ұсынамын, өйткені {n} күн {dat} тым {shortlong}.",
    "Біз тұратын {city} {topic} мәселесі шешілмей тұр, өзгеріс болмаса {cons}.",
    "{topic_c} тәртібін кім бақылайтыны және бюджетке қанша тұратыны түсініксіз.",
    "{n} АЕК көлеміндегі айыппұл {dat} тым {fine}.",
    "{nom} үшін ерекшелік қосу керек, әйтпесе {cons}.",
    "Мен {y} жыл {prof} болып жұмыс істеймін және {subj_l} {dat} {pred} деп ойлаймын.",
    "{support}, бірақ {art}-баптың тұжырымы {vague}.",
    "Әзірлеушілер {country} тәжірибесін {topic} саласында зерттесін.",
    "Менің есебімше {gen} шығыны шамамен {pct} пайызға өседі.",
    "{city} {year} жылы {similar} болған, сонда {cons}.",
    "{p}-тармақ осы күйінде қабылданса, {cons}.",
    "{art}-бап {topic} мәселесін мүлде қозғамайды, ал негізгі проблема сонда.",
    "Көршім {y} жыл бойы {topic} бойынша шешім күтіп жүр.",
]
KK_FREE = (
    "заң құқық сот салық жер су мектеп аурухана жол баға тариф отбасы жұмыс ақша уақыт қала ауыл аудан облыс "
    "министр депутат комиссия шешім мәселе тәртіп бақылау мерзім құжат анықтама кезек бюджет азаматтар бизнес "
    "нарық табыс шығын есеп тексеру айыппұл жеңілдік жәрдемақы зейнетақы жалақы жалға несие банк тұрғын үй "
    "пәтер мал егін астық жайылым техника жанармай электр газ интернет байланыс көлік автобус пойыз көбірек "
    "азырақ жақсы жаман тез баяу әділ ашық күрделі қарапайым қажет маңызды қауіпті тиімді қымбат арзан ұсынамын "
    "санаймын ойлаймын сұраймын талап етемін күмәнданамын қолдаймын қарсымын үміттенемін білемін көремін "
    "жаңа ескі жергілікті жеке мемлекеттік ауылдық қалалық жас қарт адал"
).split()

EN = {
    "subj": _pool(
        "This provision | The proposed amendment | The new wording | This clause | The draft law | The new fine | "
        "The licensing requirement | Mandatory registration | The transition rule | Online filing | "
        "The reporting duty | The exemption list | The sales ban"
    ),
    "pred": _pool(
        "hurts | protects | puts an extra burden on | ignores the needs of | makes life easier for | "
        "restricts the rights of | complicates the work of | raises costs for | finally helps | "
        "leaves no protection for | gives an unfair advantage to | takes benefits away from"
    ),
    "grp": _pool(
        "small businesses | farmers | pensioners | students | large families | rural schools | doctors | "
        "taxi drivers | sole traders | village residents | tenants | teachers | people with disabilities | "
        "local akimats | private clinics | young specialists | beekeepers | builders | libraries | carriers"
    ),
    "topic": _pool(
        "tax reporting | licensing | land plots | water tariffs | social benefits | public procurement | "
        "environmental inspections | vehicle registration | education grants | mortgages | pastures | "
        "waste collection | building permits | health insurance | hunting | fishing | paid parking"
    ),
    "city": _pool(
        "Almaty | Astana | Shymkent | Karaganda | Aktobe | Taraz | Pavlodar | Semey | Atyrau | Kostanay | "
        "Kyzylorda | Oral | Aktau | Turkistan | Kokshetau | Taldykorgan | Zhezkazgan"
    ),
    "cons": _pool(
        "people will move into the shadow economy | prices will rise for everyone | queues will get longer | "
        "the budget will lose tax revenue | young people will leave for the cities | courts will be flooded | "
        "officials will get excessive powers | small farms will close | service quality will drop | "
        "investors will leave | half of the applications will be rejected"
    ),
    "prof": _pool("an accountant | a teacher | a farmer | a lawyer | a doctor | an engineer | a driver | a nurse"),
    "country": _pool("Estonia | Georgia | Singapore | Canada | Uzbekistan | Germany | Korea | Finland | Poland"),
    "vague": _pool(
        "is too vague | can be read two ways | sets no deadline | names no responsible body | "
        "contradicts the Tax Code | is written in impenetrable legalese | ignores the guarantees article"
    ),
    "open": _pool(
        "In my view, | Frankly, | I think | Note that | Besides, | What is more, | Above all, | In practice | "
        "To be blunt, | Secondly, | One more thing:"
    ),
    "support": _pool("I support the idea | Overall I am in favour | The direction is right | The goal is clear"),
    "similar": _pool("a similar scheme | the same procedure | a comparable pilot | such rules"),
    "shortlong": _pool("short | long | strict"),
    "fine": _pool("too lenient | crushing | absurd | unfair"),
}
EN_TEMPLATES = [
    "{subj} in article {art} {pred} {grp}.",
    "I suggest changing paragraph {p} of article {art}: {n} days is far too {shortlong} for {grp}.",
    "In {city} {grp} already struggle with {topic}, and without changes {cons}.",
    "It is unclear who will oversee {topic} and what it will cost the budget.",
    "A fine of {n} MCI is {fine} for {grp}.",
    "Please add an exemption for {grp}, otherwise {cons}.",
    "I have worked as {prof} for {y} years and I see that {subj_l} {pred} {grp}.",
    "{support}, but the wording of article {art} {vague}.",
    "The drafters should study how {country} handles {topic}.",
    "By my estimate costs for {grp} will grow by about {pct} percent.",
    "{city} tried {similar} for {topic} in {year}, and {cons}.",
    "If paragraph {p} passes as it is, {cons}.",
    "Article {art} does not touch {topic} at all, yet that is where the problem is.",
    "My neighbour has waited {y} years for a decision on {topic}.",
]
EN_FREE = (
    "law right court tax land water school hospital road price tariff family work money time city village "
    "district region minister deputy committee decision question problem order control deadline document "
    "certificate queue budget citizens business market income expense report inspection fine benefit pension "
    "salary rent loan bank mortgage housing flat plot cattle harvest grain pasture fuel electricity gas internet "
    "transport bus train more less better worse quickly slowly honestly openly fairly hard simple necessary "
    "important dangerous profitable expensive cheap propose believe think ask demand doubt support object hope "
    "fear know see heard read new old local private public rural urban young elderly"
).split()

LANGS = {"ru": (RU, RU_TEMPLATES, RU_FREE), "kk": (KK, KK_TEMPLATES, KK_FREE), "en": (EN, EN_TEMPLATES, EN_FREE)}


def _sentence(rng: random.Random, lang: str, template: str) -> str:
    """One templated sentence with every slot filled at random, sometimes after an opener."""
    pools = LANGS[lang][0]
    slots: dict[str, object] = {key: rng.choice(values) for key, values in pools.items()}
    subj, topic = str(slots["subj"]), str(slots["topic"])
    slots.update(
        subj_l=subj.lower() if lang == "en" else subj[0].lower() + subj[1:],
        topic_c=topic[0].upper() + topic[1:],
        art=rng.randint(1, 180),
        p=rng.randint(1, 15),
        n=rng.randint(2, 400),
        y=rng.randint(2, 40),
        pct=rng.randint(3, 95),
        year=rng.randint(1995, 2024),
    )
    sentence = template.format(**slots)
    if rng.random() < 0.4:
        sentence = f"{slots['open']} {sentence[0].lower()}{sentence[1:]}"
    return sentence[0].upper() + sentence[1:]


def _free(rng: random.Random, lang: str) -> str:
    """A sentence of random words from the language's vocabulary."""
    words = rng.choices(LANGS[lang][2], k=rng.randint(5, 12))
    return " ".join(words).capitalize() + rng.choice([".", ".", "!", "?"])


def other_comment(rng: random.Random, lang: str) -> str:
    """A genuinely individual opinion of 10–80 words: distinct templates in random order, and a free sentence."""
    target = rng.randint(10, 80)
    templates = iter(rng.sample(LANGS[lang][1], len(LANGS[lang][1])))
    # A free sentence in every comment: short comments made of one common template could coincide otherwise.
    parts = [_free(rng, lang)]
    words = len(parts[0].split())
    while words < target:
        template = next(templates, None)
        part = _free(rng, lang) if template is None or rng.random() < 0.3 else _sentence(rng, lang, template)
        if words + len(part.split()) > 80:
            break
        parts.insert(rng.randrange(len(parts) + 1), part)
        words += len(part.split())
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# Planted campaigns.

RU_BASE = (
    "Я, {name}, житель города {city}, категорически против поправок в статью 47 о земельных участках. "
    "Эти изменения лишат простых людей права на землю и отдадут её крупным компаниям. "
    "Мы, жители нашего региона, требуем оставить прежнюю редакцию закона и провести общественные слушания "
    "в каждом районе. Земля должна принадлежать тем, кто на ней живёт и работает. "
    "Просим депутатов услышать голос народа!"
)
RU_NAMES = ["Айгуль Серикова", "Ерлан", "Марат Ахметов", "Наталья", "Дмитрий Ким", "Асель", "Бауыржан", "Ольга"]
RU_CITIES = ["Алматы", "Шымкента", "Тараза", "Караганды", "Актобе", "Костаная", "Семея", "Уральска"]
RU_SYNONYMS = {
    "категорически": ["решительно", "абсолютно"],
    "лишат": ["отнимут у"],
    "простых": ["обычных", "рядовых"],
    "крупным": ["большим", "богатым"],
    "требуем": ["просим", "настаиваем"],
    "прежнюю": ["старую", "действующую"],
    "каждом": ["любом"],
    "депутатов": ["парламентариев"],
    "голос": ["мнение"],
    "живёт": ["проживает"],
}

KK_BASE = (
    "Мен, {name}, {city} тұрғынымын. Ауылдағы шағын мектептерді жабу туралы 12-бапқа қарсымын. "
    "Балаларымыз күн сайын көрші ауылға қырық шақырым жол жүруге мәжбүр болады. "
    "Қыста жолдар жабылады, автобустар жүрмейді, ата-аналар жұмысын тастауға мәжбүр. "
    "Мектеп ауылдың жүрегі, ол жабылса жастар ауылдан кетеді. "
    "Депутаттардан осы бапты алып тастауды сұраймыз!"
)
KK_NAMES = ["Айгүл", "Ерлан", "Нұрлан Сәрсенов", "Гүлнар", "Асқар", "Жанар Омарова", "Бақыт", "Дәулет"]
KK_CITIES = ["Ақсу ауылының", "Қарабұлақ ауылының", "Жаңаталап ауылының", "Бесқарағай ауданының", "Шиелі ауылының"]
KK_SYNONYMS = {
    "қарсымын": ["келіспеймін"],
    "Балаларымыз": ["Біздің балалар"],
    "мәжбүр": ["амалсыз"],
    "жабылады": ["қардан жабылады"],
    "жүрегі": ["тірегі"],
    "сұраймыз": ["талап етеміз", "өтінеміз"],
}

EXACT_TEXT = (
    "Повышение тарифов на коммунальные услуги, предусмотренное статьей 12, ударит по пенсионерам и "
    "многодетным семьям. Просим заморозить тарифы до конца года и опубликовать все расчеты."
)


def campaign_copy(rng: random.Random, base: str, names: list[str], cities: list[str], synonyms: dict) -> str:
    """The base text with one to three small edits, as people change a copied text."""
    text = base.format(name=names[0], city=cities[0])
    for _ in range(rng.randint(1, 3)):
        edit = rng.choice(["synonym", "name", "city", "exclaim", "case", "greeting", "noise"])
        if edit == "synonym":
            word = rng.choice(list(synonyms))
            text = text.replace(word, rng.choice(synonyms[word]), 1)
        elif edit == "name":
            text = text.replace(names[0], rng.choice(names[1:]), 1)
        elif edit == "city":
            text = text.replace(cities[0], rng.choice(cities[1:]), 1)
        elif edit == "exclaim":
            text = text.rstrip("!") + "." if text.endswith("!") else text + "!!!"
        elif edit == "case":
            text = text.upper() if rng.random() < 0.3 else text.lower()
        elif edit == "greeting":
            text = rng.choice(["Здравствуйте!\n", "Сәлеметсіз бе!\n", "Добрый день.\n\n"]) + text
        else:
            words = text.split(" ")
            i = rng.randrange(len(words))
            words[i] = words[i] + rng.choice(["  ", ",", " -", "...", " !"])
            text = " ".join(words)
    return text


@pytest.fixture(scope="module")
def corpus() -> dict:
    """Every text, its kind, and its signature; ids shuffled so campaigns are not contiguous."""
    rng = random.Random(SEED)
    texts: list[tuple[str, str]] = []
    for _ in range(3000):
        texts.append(("other", other_comment(rng, rng.choice(["ru", "ru", "kk", "kk", "en"]))))
    for _ in range(300):
        texts.append(("ru_campaign", campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS)))
    for _ in range(50):
        texts.append(("kk_campaign", campaign_copy(rng, KK_BASE, KK_NAMES, KK_CITIES, KK_SYNONYMS)))
    texts += [("exact_campaign", EXACT_TEXT)] * 40
    # People quoting the campaign's opening and then writing their own view: related, but not copies.
    quote = RU_BASE.format(name=RU_NAMES[0], city=RU_CITIES[0]).split(". ")[0] + "."
    for _ in range(20):
        texts.append(("quote", f"«{quote}» — пишут в соцсетях. " + other_comment(rng, "ru")))
    shorts = ["Согласен.", "Согласен!", "согласен", "Қолдаймын", "Против.", "I agree.", "Поддерживаю!", "+"]
    texts += [("short", "Согласен.")] * 100 + [("short", rng.choice(shorts)) for _ in range(50)]
    rng.shuffle(texts)
    ids = rng.sample(range(1, 1_000_000), len(texts))
    kinds = {comment_id: kind for comment_id, (kind, _) in zip(ids, texts, strict=True)}
    bodies = {comment_id: text for comment_id, (_, text) in zip(ids, texts, strict=True)}

    started = time.perf_counter()
    sigs = {comment_id: signature(text) for comment_id, text in bodies.items()}
    sig_seconds = time.perf_counter() - started
    started = time.perf_counter()
    groups = group(sigs)
    group_seconds = time.perf_counter() - started
    print(
        f"\n{len(sigs)} signatures in {sig_seconds:.2f} s, grouping in {group_seconds:.2f} s "
        f"(total {sig_seconds + group_seconds:.2f} s)"
    )
    return {"kinds": kinds, "bodies": bodies, "sigs": sigs, "groups": groups, "seconds": sig_seconds + group_seconds}


def ids_of(corpus: dict, *kinds: str) -> list[int]:
    """The sorted ids of the texts of these kinds."""
    return sorted(comment_id for comment_id, kind in corpus["kinds"].items() if kind in kinds)


def subset(corpus: dict, *kinds: str) -> dict[int, bytes]:
    """The signatures of the texts of these kinds."""
    return {comment_id: corpus["sigs"][comment_id] for comment_id in ids_of(corpus, *kinds)}


# ---------------------------------------------------------------------------------------------------------------
# Parameters and building blocks.


def test_parameters_put_the_s_curve_at_the_threshold():
    assert BANDS * ROWS == NUM_PERM
    assert abs((1 / BANDS) ** (1 / ROWS) - THRESHOLD) < 0.02


def test_normalise_keeps_words_and_drops_form():
    text = "  Здравствуйте!!\n\n**Ёлка** — [см. тут](https://example.kz/a?b=1)  ЗАҢ_жобасы,   статья 47… www.gov.kz"
    assert normalise(text) == "здравствуйте елка см тут заң жобасы статья 47"
    assert normalise("Қазақстан Республикасының Үкіметі") == "қазақстан республикасының үкіметі"
    assert normalise("") == normalise(" ... !!! ") == ""


def test_normalise_folds_latin_look_alikes_inside_cyrillic_words():
    # "cтaтья" with Latin c and a, "бiрақ" with Latin i; Latin-only words stay as they are.
    assert normalise("cтaтья бiрақ pacta") == "статья бірақ pacta"


def test_shingles():
    assert shingles("") == shingles("?!") == set()
    assert len(shingles("Заң")) == 1
    assert shingles("Заң") == shingles("заң!")
    values = shingles("abcdefg")  # abcde, bcdef, cdefg
    assert len(values) == 3
    assert all(0 <= v < 2**64 for v in values)
    assert shingles("Статья 47, пункт 2!") == shingles("статья 47 пункт 2")


def test_permutation_is_exact_modular_arithmetic():
    from app.moderation import minhash

    p = (1 << 61) - 1
    rng = random.Random(SEED)
    xs = [0, 1, p - 1, p, p + 1, 2**61, 2**63, 2**64 - 1] + [rng.getrandbits(64) for _ in range(300)]
    got = _permute(np.array(xs, dtype=np.uint64))
    a = [int(v) for v in minhash._A]
    b = [int(v) for v in minhash._B]
    expected = [[(a[i] * (x % p) + b[i]) % p for x in xs] for i in range(NUM_PERM)]
    assert got.tolist() == expected


def test_signature_is_deterministic_within_and_across_processes():
    text = "Я против поправок в статью 47 о земельных участках, они лишат людей земли."
    sig = signature(text)
    assert len(sig) == NUM_PERM * 8
    assert signature(text) == sig
    code = f"from app.moderation.minhash import signature; print(signature({text!r}).hex())"
    for hash_seed in ("1", "4242"):
        result = subprocess.run(  # noqa: S603 - our own interpreter and a literal script
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == sig.hex()


def test_similarity():
    rng = random.Random(SEED)
    text = other_comment(rng, "ru")
    assert similarity(signature(text), signature(text)) == 1.0
    assert similarity(signature(text), signature("  " + text.upper() + "!!")) == 1.0
    assert similarity(signature(text), signature(other_comment(rng, "ru"))) < 0.2
    assert similarity(signature(text), b"") == 0.0
    with pytest.raises(ValueError, match="bytes"):
        similarity(b"abc", signature(text))


def test_similarity_estimates_jaccard():
    rng = random.Random(SEED)
    base = RU_BASE.format(name="Ерлан", city="Тараза")
    for text in [campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS) for _ in range(20)]:
        a, b = shingles(base), shingles(text)
        jaccard = len(a & b) / len(a | b)
        # 128 minima: standard error sqrt(J(1-J)/128) ≤ 0.045, so 0.15 is over three of them.
        assert abs(similarity(signature(base), signature(text)) - jaccard) < 0.15


def test_bands():
    sig = signature(RU_BASE)
    hashes = bands(sig)
    assert len(hashes) == BANDS
    assert all(0 <= h < 2**63 for h in hashes)
    assert len(set(hashes)) == BANDS
    assert bands(signature(RU_BASE)) == hashes
    # Changing one row changes exactly its band.
    rows = bytearray(sig)
    rows[5 * ROWS * 8] ^= 1
    changed = [i for i, (x, y) in enumerate(zip(hashes, bands(bytes(rows)), strict=True)) if x != y]
    assert changed == [5]
    # The same rows in every band still give different hashes: the band number is part of the hash.
    assert len(set(bands(sig[: ROWS * 8] * BANDS))) == BANDS
    assert bands(b"") == []


def test_short_texts_are_not_groupable():
    generic = [
        "Согласен.",
        "Қолдаймын",
        "I fully support this bill",
        "Против законопроекта!",
        "Заң жобасын толық қолдаймын",
    ]
    for text in [*generic, ""]:
        assert len(shingles(text)) < MIN_SHINGLES
        assert not is_groupable(text)
        assert signature(text) == b""
    assert is_groupable("Против поправок в статью 47 о земле")
    assert group({i: signature("Согласен.") for i in range(100)}) == []


def test_group_output_order_and_threshold():
    rng = random.Random(SEED)
    copies = {i: signature(campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS)) for i in (9, 3, 7)}
    exact = {i: signature(EXACT_TEXT) for i in (20, 1, 30, 2)}
    lone = {5: signature(other_comment(rng, "en"))}
    assert group({**copies, **exact, **lone}) == [[1, 2, 20, 30], [3, 7, 9]]
    # At 1.0 only exact copies (after normalisation) still join.
    assert group({**exact, 8: signature(EXACT_TEXT.upper())}, threshold=1.0) == [[1, 2, 8, 20, 30]]
    assert group({}) == []
    with pytest.raises(ValueError, match="bytes"):
        group({1: b"\x00" * 7})
    with pytest.raises(ValueError, match="threshold"):
        group(exact, threshold=0)


def reference_group(signatures: dict[int, bytes], threshold: float) -> list[list[int]]:
    """The definition, checked pair by pair: union of pairs that share a band and reach the threshold."""
    parent = {i: i for i, sig in signatures.items() if sig}

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    band_sets = {i: set(bands(sig)) for i, sig in signatures.items() if sig}
    ids = sorted(band_sets)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if band_sets[a] & band_sets[b] and similarity(signatures[a], signatures[b]) >= threshold:
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) >= 2), key=lambda g: (-len(g), g[0]))


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.85, 0.95])
def test_group_matches_the_pairwise_definition(threshold):
    # group() skips pairs already joined and checks one member per group first; that must change nothing.
    rng = random.Random(threshold)
    texts = [campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS) for _ in range(120)]
    texts += [campaign_copy(rng, KK_BASE, KK_NAMES, KK_CITIES, KK_SYNONYMS) for _ in range(60)]
    texts += [other_comment(rng, rng.choice(["ru", "kk", "en"])) for _ in range(120)] + [EXACT_TEXT] * 5
    rng.shuffle(texts)
    sigs = {i: signature(text) for i, text in enumerate(texts)}
    expected = reference_group(sigs, threshold)
    assert group(sigs, threshold) == expected
    assert expected  # the campaigns are there at every threshold, whole or split


# ---------------------------------------------------------------------------------------------------------------
# The planted campaigns among 3,000 others.


def test_others_alone_form_no_group(corpus):
    # The generator must produce distinct opinions; if this fails the test data, not the detector, is wrong.
    assert group(subset(corpus, "other", "quote")) == []


def test_finds_the_planted_campaign_exactly(corpus):
    groups = group(subset(corpus, "other", "ru_campaign", "quote", "short"))
    large = [g for g in groups if len(g) >= 10]
    assert len(large) == 1
    assert large[0] == ids_of(corpus, "ru_campaign")
    assert groups == large


def test_finds_three_campaigns_separately(corpus):
    expected = [ids_of(corpus, "ru_campaign"), ids_of(corpus, "kk_campaign"), ids_of(corpus, "exact_campaign")]
    assert corpus["groups"] == expected
    assert [len(g) for g in expected] == [300, 50, 40]


def test_short_texts_in_the_corpus_stay_ungrouped(corpus):
    shorts = ids_of(corpus, "short")
    assert len(shorts) == 150
    assert all(corpus["sigs"][i] == b"" for i in shorts)


def test_timing(corpus):
    # Printed above for the record; the bound only catches something pathological.
    assert corpus["seconds"] < 30
