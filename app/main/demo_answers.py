"""Demo answers on the closed draft "air-quality": the comments of its consultation, its second version, and the
ecology editor's answers of every kind (to a group, corrected once, traced to a change, late, one comment left
unanswered), so that the answers pages and the public figures are not empty after `make run`."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.answers import calendar
from app.answers.models import Answer, Decision, Scope
from app.answers.services import answer_comments, can_answer, changed_units, correct_answer, trace_answer
from app.auth.models import User
from app.comments.models import Comment
from app.comments.services import approve_comment, post_comment, reject_comment
from app.db import utcnow
from app.extensions import db
from app.laws.importing import add_language, publish_version
from app.laws.models import Law, LawStatus

DEMO_DIR = Path(__file__).resolve().parents[1] / "laws" / "demo_texts"
ANSWERED_DRAFT = "air-quality"
ANSWERING_EDITOR = "ecology.editor@kenes.kz"  # an editor of the draft's agency ("ecology")
SECOND_VERSION = [("kk", "air-quality.v2.kk.txt"), ("ru", "air-quality.v2.ru.txt")]
SECOND_VERSION_DAY = 8  # days after the close
TRACED_UNIT = "7.1"  # the unit of version 2 that changed because of the "frequency" comment


@dataclass(frozen=True)
class DemoComment:
    name: str
    key: str  # the section of version 1
    voice: int  # 0 Асхат (kk), 1 Олег (ru), 2 Ерлан (kk), 3 Anna (en): see DEMO_VOICES in demo.py
    lang: str
    stance: str
    body: str
    wording: str | None = None
    state: str = "approved"
    day: int = 0  # days after the consultation opened


@dataclass(frozen=True)
class DemoAnswer:
    comments: tuple[str, ...]
    decision: Decision
    reasoning: dict[str, str]
    day: int | None  # days after the close; None: two days after the due day, so one answer is late


DEMO_COMMENTS = [
    DemoComment("frequency", "article:7/point:1", 1, "ru", "amend",
        "Обновление данных раз в час — слишком редко: во время смога ситуация за час меняется полностью, а люди с "
        "астмой решают, выходить ли на улицу, по устаревшим цифрам. Датчики постов позволяют передавать данные "
        "гораздо чаще.",
        "Данные мониторинга качества атмосферного воздуха размещаются на интернет-ресурсе национального оператора "
        "мониторинга в режиме реального времени с периодичностью обновления не реже одного раза в двадцать минут.",
        day=3),
    DemoComment("posts-1", "article:5/point:2", 0, "kk", "amend",
        "Халқы жүз мыңнан бес жүз мыңға дейінгі қалаларға үш бекет тым аз: Теміртау, Екібастұз сияқты өнеркәсіпті "
        "қалаларда ауа ең лас. Кемінде бес бекет орнату керек, ал шағын қалаларда да кемінде бір бекет болсын.",
        "3) халқының саны жүз мыңнан бес жүз мың адамға дейінгі елді мекендерде – бес бекет.", day=5),
    DemoComment("posts-2", "article:5/point:2", 2, "kk", "amend",
        "Халқы жүз мыңнан бес жүз мыңға дейінгі қалаларға үш бекет тым аз: Теміртау, Екібастұз сияқты өнеркәсіпті "
        "қалаларда ауа ең лас. Кемінде бес бекет орнату керек, шағын қалаларда да кемінде бір бекет болсын.",
        "3) халқының саны жүз мыңнан бес жүз мың адамға дейінгі елді мекендерде – бес бекет.", day=6),
    DemoComment("posts-3", "article:5/point:2", 1, "ru", "oppose",
        "Три поста на город с населением до полумиллиона — это формальность. В Темиртау и Экибастузе нужно не меньше "
        "пяти постов, а в городах меньше ста тысяч — хотя бы по одному стационарному посту.", day=7),
    DemoComment("report", "article:4/subpoint:5", 2, "kk", "amend",
        "Ұлттық баяндаманы «жыл сайын» жариялау деген жеткіліксіз: нақты мерзім болмаса, баяндама келесі жылдың "
        "соңында ғана шығуы мүмкін. Есепті жылдан кейінгі жылдың бірінші жартыжылдығынан кешіктірмей жариялау керек.",
        "5) атмосфералық ауаның жай-күйі туралы ұлттық баяндаманы жыл сайын, есепті жылдан кейінгі жылдың 1 "
        "шілдесінен кешіктірмей жариялайды.", day=9),
    DemoComment("h2s", "article:6/point:1", 3, "en", "neutral",
        "Please add hydrogen sulphide to the list. In Atyrau, near the oil refinery, it is what people actually smell "
        "and complain about, yet the draft does not require anyone to measure it.", day=11),
    DemoComment("start", "article:8/point:1", 1, "ru", "oppose",
        "Шесть месяцев до вступления закона в силу — слишком долго, люди дышат грязным воздухом уже сейчас. "
        "Достаточно трех месяцев.", day=13),
    DemoComment("indoor", "article:3", 3, "en", "neutral",
        "Does the monitoring also cover the air inside schools and kindergartens? Children spend most of the day "
        "there, and in winter the air indoors is often worse than outside.", day=15),
    DemoComment("sms", "article:7/point:2", 0, "kk", "amend",
        "Халықты тек бұқаралық ақпарат құралдары мен мобильді қосымшалар арқылы хабардар ету жеткіліксіз: қарт "
        "адамдардың көбінде смартфон жоқ. Қысқа мәтіндік хабарлама (SMS) жіберу міндетін қосу керек.",
        "2. Қолайсыз метеорологиялық жағдайлар кезінде немесе ластаушы заттардың шекті рұқсат етілген шоғырлануы "
        "асып кеткен кезде мониторингтің ұлттық операторы бұқаралық ақпарат құралдары, мобильді қосымшалар және "
        "қысқа мәтіндік хабарламалар арқылы халықты дереу хабардар етеді.", day=18),
    DemoComment("sensors", "article:1/subpoint:2", 2, "kk", "amend",
        "«Байқау бекеті» ұғымына азаматтар мен қоғамдық ұйымдар орнатқан датчиктер де енгізілсін: ресми бекеттер "
        "жоқ аудандардағы жағдайды солар ғана көрсетеді.",
        "2) байқау бекеті – атмосфералық ауадағы ластаушы заттардың шоғырлануын өлшеу құралдарымен жарақтандырылған "
        "стационарлық немесе жылжымалы станция, оның ішінде азаматтар мен қоғамдық ұйымдар орнатқан датчик;", day=21),
    DemoComment("deadline", "article:8/point:2", 2, "kk", "support",
        "Бекеттер желісін кеңейту үшін 2027 жылғы 1 қаңтар – орынды мерзім.", state="pending", day=24),
    DemoComment("roads", "article:5", 1, "ru", "neutral",
        "А когда наконец отремонтируют дорогу на улице Абая? Ямы уже второй год.", state="rejected", day=25),
]  # fmt: skip

DEMO_ANSWERS = [
    DemoAnswer(("indoor",), Decision.NOT_APPLICABLE, {
        "kk": "Ескерту заң жобасының реттеу нысанасына жатпайды: жоба атмосфералық ауа сапасының мониторингін "
        "реттейді. Мектептер мен балабақшалардың үй-жайларындағы ауа сапасына қойылатын талаптар санитариялық "
        "қағидалармен белгіленеді.",
        "ru": "Замечание не относится к предмету регулирования законопроекта: проект регулирует мониторинг качества "
        "атмосферного воздуха. Требования к качеству воздуха в помещениях школ и детских садов устанавливаются "
        "санитарными правилами.",
        "en": "This is outside the scope of the draft, which governs the monitoring of outdoor air. The air inside "
        "schools and kindergartens is governed by the sanitary rules.",
    }, day=1),
    DemoAnswer(("report",), Decision.PARTLY_ACCEPTED, {
        "kk": "Ұсыныс ішінара ескерілді: ұлттық баяндаманы жариялау мерзімі атмосфералық ауа сапасының мониторингін "
        "жүзеге асыру қағидаларында белгіленеді.",
        "ru": "Предложение учтено частично: срок публикации национального доклада будет установлен правилами "
        "осуществления мониторинга качества атмосферного воздуха.",
    }, day=2),
    DemoAnswer(("frequency",), Decision.ACCEPTED, {
        "kk": "Ұсыныс қабылданды: деректерді жаңарту кезеңділігі кемінде жиырма минутта бір рет болып белгіленді.",
        "ru": "Предложение принято: периодичность обновления данных установлена не реже одного раза в двадцать минут.",
    }, day=3),
    DemoAnswer(("posts-1", "posts-2", "posts-3"), Decision.PARTLY_ACCEPTED, {
        "kk": "Ұсыныс ішінара ескерілді: халқының саны жүз мыңнан бес жүз мың адамға дейінгі елді мекендердегі "
        "бекеттердің ең аз саны үштен беске дейін ұлғайтылды, ал халқының саны елу мыңнан жүз мың адамға дейінгі "
        "елді мекендер үшін екі бекет көзделді. Халқының саны елу мыңнан аз елді мекендерде стационарлық бекет "
        "орнату міндеті белгіленбейді: онда өлшеулерді жылжымалы бекеттер жүргізеді, бұл бюджет қаражатын тиімді "
        "пайдалануға мүмкіндік береді.",
        "ru": "Предложение учтено частично: минимальное количество постов наблюдения в населенных пунктах с "
        "численностью населения от ста тысяч до пятисот тысяч человек увеличено с трех до пяти, а для населенных "
        "пунктов с численностью населения от пятидесяти тысяч до ста тысяч человек предусмотрено два поста. "
        "Обязательная установка стационарных постов в населенных пунктах с численностью населения менее пятидесяти "
        "тысяч человек не предусматривается: измерения в них проводятся передвижными постами, что позволяет "
        "эффективно использовать бюджетные средства.",
    }, day=4),
    DemoAnswer(("h2s",), Decision.REJECTED, {
        "kk": "Ұсыныс қабылданбады: осы баптың 2-тармағы уәкілетті органға өңірлік ерекшеліктерді ескере отырып "
        "өлшенетін ластаушы заттардың тізбесін кеңейтуге мүмкіндік береді. Күкіртсутек Атырау облысының бекеттерінде "
        "осы тәртіппен өлшенетін болады; оны барлық өңірлер үшін міндетті ету қосымша шығындарды талап етеді, ал "
        "өңірлердің басым бөлігінде бұл заттың шығарындылары мардымсыз.",
        "ru": "Предложение не принято: пункт 2 настоящей статьи позволяет уполномоченному органу расширять перечень "
        "измеряемых загрязняющих веществ с учетом региональных особенностей. Сероводород будет измеряться в этом "
        "порядке на постах Атырауской области; обязательное измерение во всех регионах потребовало бы "
        "дополнительных затрат, тогда как в большинстве регионов выбросы этого вещества незначительны.",
        "en": "Not accepted: point 2 of this article lets the authorised body extend the list of measured "
        "substances for a region. Hydrogen sulphide will be measured this way at the posts of Atyrau region; making "
        "it compulsory everywhere would add costs where its emissions are negligible.",
    }, day=5),
    DemoAnswer(("sensors",), Decision.REJECTED, {
        "kk": "Ұсыныс қабылданбады: мониторинг деректері өлшем бірлігін қамтамасыз ету саласындағы талаптарға сәйкес "
        "салыстырып тексеруден өткен өлшеу құралдарымен алынуы тиіс. Азаматтар орнатқан датчиктер мұндай тексеруден "
        "өтпейді, сондықтан олардың деректері ресми мониторинг деректеріне теңестірілмейді.",
        "ru": "Предложение не принято: данные мониторинга должны быть получены средствами измерений, прошедшими "
        "поверку в соответствии с требованиями в области обеспечения единства измерений. Датчики, установленные "
        "гражданами, такой поверки не проходят, поэтому их данные не приравниваются к данным официального "
        "мониторинга.",
    }, day=6),
    DemoAnswer(("start",), Decision.REJECTED, {
        "kk": "Ұсыныс қабылданбады: алты ай қоршаған ортаны қорғау саласындағы уәкілетті органға мониторингті жүзеге "
        "асыру қағидалары мен ауа сапасы индексін есептеу әдістемесін бекіту үшін, ал мониторингтің ұлттық "
        "операторына өлшеу құралдарын сатып алу үшін қажет. Бұл жұмыстарды үш айда орындау мүмкін емес.",
        "ru": "Предложение не принято: шесть месяцев необходимы уполномоченному органу в области охраны окружающей "
        "среды для утверждения правил осуществления мониторинга и методики расчета индекса качества воздуха, а "
        "национальному оператору мониторинга — для закупки средств измерений. За три месяца выполнить эти работы "
        "невозможно.",
    }, day=None),
]  # fmt: skip
# The answer to "report" once version 2 set the deadline the comment asked for.
CORRECTION = DemoAnswer(("report",), Decision.ACCEPTED, {
    "kk": "Ұсыныс қабылданды: жобаның екінші редакциясында ұлттық баяндама есепті жылдан кейінгі жылдың 1 шілдесінен "
    "кешіктірілмей жариялануы тиіс (4-баптың 5) тармақшасы).",
    "ru": "Предложение принято: во второй редакции проекта национальный доклад публикуется не позднее 1 июля года, "
    "следующего за отчетным (подпункт 5) статьи 4).",
}, day=SECOND_VERSION_DAY + 1)  # fmt: skip
TRACED = "frequency"


def waits_for_answers(law: Law) -> bool:
    """True for the closed demo draft as `seed-demo` first made it: one version, no comment yet."""
    return (
        law.status == LawStatus.CLOSED
        and law.opens_at is not None
        and law.closes_at is not None
        and law.closes_at < utcnow()
        and len(law.versions) == 1
        and db.session.scalar(select(Comment.id).where(Comment.law_id == law.id).limit(1)) is None
    )


def seed_answers(law: Law, voices: list[User]) -> bool:
    """Seed the consultation, the second version and the answers of the draft; False if it has them already."""
    editor = db.session.scalar(select(User).where(User.email == ANSWERING_EDITOR))
    if not waits_for_answers(law) or editor is None or not can_answer(law, editor):
        return False
    comments = _post_comments(law, voices)
    _publish_second_version(law, editor)
    _answer(law, editor, comments)
    return True


def _post_comments(law: Law, voices: list[User]) -> dict[str, Comment]:
    status, closes_at = law.status, law.closes_at
    # post_comment refuses a closed consultation: the comments are posted as they were, while it was open, and
    # dated back into its window (which also keeps them out of the authors' rate limit).
    law.status, law.closes_at = LawStatus.OPEN.value, utcnow() + timedelta(hours=1)
    sections = {section.key: section for section in law.latest_version.sections}
    posted = {}
    for n, spec in enumerate(DEMO_COMMENTS):
        comment = post_comment(
            author=voices[spec.voice],
            section=sections[spec.key],
            body=spec.body,
            stance=spec.stance,
            proposed_wording=spec.wording,
            lang=spec.lang,
            client_token=f"demo-{law.slug}-{n}",
        ).comment
        written = law.opens_at + timedelta(days=spec.day, hours=8 + n % 9)
        comment.created_at = comment.received_at = written
        if spec.state == "approved":
            approve_comment(comment)
        elif spec.state == "rejected":
            reject_comment(comment, reason="off_topic", note=None)
        if comment.reviewed_at is not None:
            comment.reviewed_at = written + timedelta(hours=4)
        if comment.published_at is not None:
            comment.published_at = comment.reviewed_at
        posted[spec.name] = comment
    law.status, law.closes_at = status, closes_at
    db.session.flush()
    return posted


def _publish_second_version(law: Law, editor: User) -> None:
    # The first version was published when the seed ran; the consultation on it opened weeks before that.
    first = law.latest_version
    first.published_at = min(first.published_at, law.opens_at - timedelta(days=1))
    (first_lang, first_file), *others = SECOND_VERSION
    text = (DEMO_DIR / first_file).read_text(encoding="utf-8")
    version = publish_version(law, lang=first_lang, text=text, filename=first_file, created_by=editor)
    for lang, filename in others:
        other = (DEMO_DIR / filename).read_text(encoding="utf-8")
        add_language(version, lang=lang, text=other, filename=filename, created_by=editor)
    version.published_at = law.closes_at + timedelta(days=SECOND_VERSION_DAY)
    db.session.flush()


def _late_moment(law: Law) -> datetime:
    """Mid-morning two days after the due day, where the agencies work: an answer the deadline figure misses."""
    due = calendar.due_date(law.closes_at)
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return datetime.combine(due + timedelta(days=2), time(11), tzinfo=zone).astimezone(UTC)


def _answer(law: Law, editor: User, comments: dict[str, Comment]) -> None:
    given: dict[str, Answer] = {}
    for spec in DEMO_ANSWERS:
        when = law.closes_at + timedelta(days=spec.day, hours=2) if spec.day is not None else _late_moment(law)
        given[spec.comments[0]] = answer_comments(
            law,
            [comments[name] for name in spec.comments],
            user=editor,
            decision=spec.decision.value,
            reasoning=spec.reasoning,
            scope=(Scope.SELECTION if len(spec.comments) > 1 else Scope.COMMENT).value,
            now=when,
        )
    correct_answer(
        given[CORRECTION.comments[0]],
        user=editor,
        decision=CORRECTION.decision.value,
        reasoning=CORRECTION.reasoning,
        now=law.closes_at + timedelta(days=CORRECTION.day, hours=3),
    )
    traced = given[TRACED]
    unit = next(c.section for c in changed_units(law, 1) if c.path == TRACED_UNIT)
    trace_answer(traced, unit, user=editor)
    traced.traced_at = law.closes_at + timedelta(days=SECOND_VERSION_DAY, hours=5)
    db.session.flush()
