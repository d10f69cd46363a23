"""`flask seed-demo`: demo agencies, committees, users of every role, draft laws and comments."""

import random
import secrets
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import select

from app.auth.models import User
from app.auth.passwords import hash_password
from app.comments.models import Comment
from app.comments.reactions import vote
from app.comments.services import approve_comment, post_comment, reject_comment
from app.db import utcnow, writes
from app.extensions import db
from app.laws.importing import add_language, publish_version
from app.laws.models import Law
from app.laws.services import create_law
from app.laws.structure import parse_text
from app.main.demo_answers import ANSWERED_DRAFT, seed_answers
from app.organisations.models import Agency, Committee

DEMO_DIR = Path(__file__).resolve().parents[1] / "laws" / "demo_texts"

DEMO_AGENCIES = [
    ("justice", "Қазақстан Республикасы Әділет министрлігі", "Министерство юстиции Республики Казахстан",
     "Ministry of Justice of the Republic of Kazakhstan"),
    ("ecology", "Қазақстан Республикасы Экология және табиғи ресурстар министрлігі",
     "Министерство экологии и природных ресурсов Республики Казахстан",
     "Ministry of Ecology and Natural Resources of the Republic of Kazakhstan"),
]  # fmt: skip
DEMO_COMMITTEES = [
    ("legislation", "Мәжілістің Заңнама және сот-құқықтық реформа комитеті",
     "Комитет Мажилиса по законодательству и судебно-правовой реформе",
     "Mazhilis Committee on Legislation and Judicial and Legal Reform"),
    ("ecology", "Мәжілістің Экология мәселелері және табиғатты пайдалану комитеті",
     "Комитет Мажилиса по вопросам экологии и природопользования",
     "Mazhilis Committee on Ecology and Environmental Management"),
]  # fmt: skip
DEMO_USERS = [
    ("admin@kenes.kz", "Әкімші", "admin", None, None, "demo-admin-2026"),
    ("editor@kenes.kz", "Айгүл Серікова", "editor", "justice", None, "demo-editor-2026"),
    ("ecology.editor@kenes.kz", "Дмитрий Ким", "editor", "ecology", None, "demo-ecology-2026"),
    ("moderator@kenes.kz", "Нұрлан Оспанов", "moderator", None, None, "demo-moderator-2026"),
    ("mp@kenes.kz", "Сәуле Жақсыбекова", "mp", None, "legislation", "demo-deputy-2026"),
    ("citizen@kenes.kz", "Асхат Төлеуов", "citizen", None, None, "demo-citizen-2026"),
]  # fmt: skip
DEMO_LAWS = [
    {
        "slug": "public-discussion",
        "agency": "justice",
        "committee": "legislation",
        "versions": [
            [("kk", "public-discussion.kk.txt"), ("ru", "public-discussion.ru.txt"), ("en", "public-discussion.en.txt")]
        ],
        "status": "open",
        "window": (-5, 25),
        "description": {
            "kk": "Заң жобасы нормативтік құқықтық актілердің жобаларын жария талқылаудың тәртібін, мерзімдерін және "
            "ескертпелерге жауап беру міндетін белгілейді.",
            "ru": "Законопроект устанавливает порядок и сроки публичного обсуждения проектов нормативных "
            "правовых актов и обязанность отвечать на замечания.",
            "en": "The draft sets out how and for how long draft regulations are discussed in public, and the duty to "
            "answer every comment.",
        },
    },
    {
        "slug": "household-waste",
        "agency": "ecology",
        "committee": "ecology",
        "versions": [
            [("ru", "waste.v1.ru.txt"), ("kk", "waste.v1.kk.txt")],
            [("ru", "waste.v2.ru.txt"), ("kk", "waste.v2.kk.txt")],
        ],
        "status": "open",
        "window": (-12, 9),
        "description": {
            "kk": "Тұрмыстық қалдықтарды жинау, бөлек жинау және қайта өңдеу қағидалары.",
            "ru": "Правила сбора, раздельного сбора и переработки бытовых отходов.",
        },
    },
    {
        "slug": "air-quality",
        "agency": "ecology",
        "committee": "ecology",
        "versions": [[("kk", "air-quality.kk.txt"), ("ru", "air-quality.ru.txt")]],
        "status": "closed",
        "window": (-60, -30),
        "description": {
            "kk": "Атмосфералық ауа сапасына мониторинг жүргізу және оның нәтижелерін жариялау.",
            "ru": "Мониторинг качества атмосферного воздуха и публикация его результатов.",
        },
    },
]  # fmt: skip


@click.command("seed-demo")
@writes
def seed_demo():
    """Load demo agencies, committees, users of every role and draft laws (safe to run again)."""
    agencies = {}
    for slug, kk, ru, en in DEMO_AGENCIES:
        agencies[slug] = db.session.scalar(select(Agency).where(Agency.slug == slug)) or Agency(
            slug=slug, name_kk=kk, name_ru=ru, name_en=en
        )
        db.session.add(agencies[slug])
    committees = {}
    for slug, kk, ru, en in DEMO_COMMITTEES:
        committees[slug] = db.session.scalar(select(Committee).where(Committee.slug == slug)) or Committee(
            slug=slug, name_kk=kk, name_ru=ru, name_en=en
        )
        db.session.add(committees[slug])
    db.session.flush()

    users = {}
    for email, name, role, agency, committee, password in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=name,
                role=role,
                password_hash=hash_password(password),
                email_confirmed_at=utcnow(),
                locale="kk",
            )
            user.agency = agencies.get(agency)
            user.committee = committees.get(committee)
            db.session.add(user)
        users[role] = user
    db.session.flush()

    now = utcnow()
    created = []
    for spec in DEMO_LAWS:
        if db.session.scalar(select(Law.id).where(Law.slug == spec["slug"])):
            continue
        law = None
        for files in spec["versions"]:
            (first_lang, first_file), *others = files
            text = (DEMO_DIR / first_file).read_text(encoding="utf-8")
            parsed, _flat = parse_text(text, first_lang)
            if law is None:
                law = create_law(
                    agency=agencies[spec["agency"]],
                    committee=committees[spec["committee"]],
                    created_by=users["editor"],
                    titles={first_lang: parsed.title},
                    slug=spec["slug"],
                    descriptions=spec["description"],
                )
            version = publish_version(law, lang=first_lang, text=text, filename=first_file, created_by=users["editor"])
            for lang, filename in others:
                other_text = (DEMO_DIR / filename).read_text(encoding="utf-8")
                add_language(version, lang=lang, text=other_text, filename=filename, created_by=users["editor"])
                other_title = parse_text(other_text, lang)[0].title
                if other_title:
                    setattr(law, f"title_{lang}", other_title)
        opens, closes = spec["window"]
        law.opens_at, law.closes_at = now + timedelta(days=opens), now + timedelta(days=closes)
        law.status = spec["status"]
        created.append(law.slug)
        db.session.flush()
        _demo_comments(law, users)
    answered = db.session.scalar(select(Law).where(Law.slug == ANSWERED_DRAFT))
    # Not only on a fresh database: a draft seeded before the answers existed gets them now.
    answers_seeded = answered is not None and seed_answers(answered, _demo_voices(users))
    db.session.commit()

    click.echo("Demo drafts: " + (", ".join(created) if created else "already loaded"))
    click.echo(f"Demo answers: {ANSWERED_DRAFT}" if answers_seeded else "Demo answers: already loaded")
    click.echo("Demo accounts (e-mail / password / role):")
    for email, _name, role, _agency, _committee, password in DEMO_USERS:
        click.echo(f"  {email:28} {password:22} {role}")


# Comments by demo citizens: (law, section key, author index, stance, text, proposed wording, state)
DEMO_COMMENTS = [
    ("public-discussion", "article:14", 0, "oppose",
     "Он жұмыс күні – күрделі заң жобасын оқып шығуға тым қысқа мерзім. Кемінде жиырма жұмыс күні керек.",
     None, "approved"),
    ("public-discussion", "article:14", 1, "amend",
     "Срок в десять рабочих дней недостаточен для объёмных кодексов. Предлагаю считать срок от размера проекта.",
     "Срок публичного обсуждения составляет не менее двадцати рабочих дней со дня размещения проекта.", "approved"),
    ("public-discussion", "article:14", 2, "support",
     "Мерзім жеткілікті, ең бастысы – ескертулерге уақытында жауап беру.", None, "approved"),
    ("public-discussion", "article:1", 3, "neutral",
     "The definition of a participant should say explicitly that foreign residents may also take part.",
     None, "approved"),
    ("public-discussion", "article:15", 1, "support",
     "Правильно, что проект публикуется одновременно на казахском и русском языках.", None, "approved"),
    ("public-discussion", "article:15", 0, "support",
     "Екі тілде бір мезгілде жариялау – дұрыс шешім.", None, "pending"),
    ("household-waste", "article:10", 2, "support",
     "Шағымды он бес күнде қарау – жақсы өзгеріс.", None, "approved"),
    ("household-waste", "article:11", 3, "amend",
     "Батарейки нужно принимать не только в магазинах, но и в школах.",
     "Организации образования вправе устанавливать контейнеры для раздельного сбора элементов питания.",
     "approved"),
    ("household-waste", "article:11", 0, "neutral", "Купите дешёвые батарейки на нашем сайте!", None, "rejected"),
]  # fmt: skip
DEMO_VOICES = [("Айгерім Сапарова", "kk"), ("Олег Петренко", "ru"), ("Ерлан Мұқанов", "kk"), ("Anna Lee", "en")]


def _demo_voices(users: dict[str, User]) -> list[User]:
    """The demo citizens who comment, in the order of DEMO_VOICES; the first is the demo citizen one logs in as."""
    voices = []
    for n, (name, locale) in enumerate(DEMO_VOICES):
        email = f"voice{n + 1}@kenes.kz"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # Demo authors nobody logs in as: a random password that is printed nowhere.
            user = User(
                email=email,
                display_name=name,
                role="citizen",
                locale=locale,
                password_hash=hash_password(secrets.token_urlsafe(24)),
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
        voices.append(user)
    voices[0] = users["citizen"]
    db.session.flush()
    return voices


def _demo_comments(law: Law, users: dict[str, User]) -> None:
    """Add a few comments, a reply and votes so that every page has something to show."""
    specs = [c for c in DEMO_COMMENTS if c[0] == law.slug]
    if not specs or db.session.scalar(select(Comment.id).where(Comment.law_id == law.id).limit(1)):
        return
    voices = _demo_voices(users)
    sections = {s.key: s for s in law.latest_version.sections}
    rng = random.Random(law.slug)  # noqa: S311 (demo votes, not security)
    posted = []
    for _law, key, author, stance, text, wording, state in specs:
        comment = post_comment(
            author=voices[author],
            section=sections[key],
            body=text,
            stance=stance,
            proposed_wording=wording,
            client_token=f"demo-{law.slug}-{len(posted)}",
        ).comment
        if state == "approved":
            approve_comment(comment)
        elif state == "rejected":
            reject_comment(comment, reason="spam", note=None)
        posted.append(comment)
    approved = [c for c in posted if c.state == "approved"]
    for comment in approved:
        for voter in voices:
            if voter.id != comment.author_id and rng.random() < 0.7:
                vote(comment, user=voter, value=1 if rng.random() < 0.75 else -1)
    if approved:
        first = approved[0]
        replier = next(v for v in voices if v.id != first.author_id)
        reply = post_comment(
            author=replier,
            section=first.section,
            body="Келісемін, мерзімді ұзарту керек.",
            stance="neutral",
            parent=first,
            client_token=f"demo-{law.slug}-reply",
        ).comment
        approve_comment(reply)
