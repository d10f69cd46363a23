"""Commands: `flask laws import` and `flask seed-demo`."""

from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.laws.editor import law_error_message, parse_error_message
from app.laws.models import LANGS, Agency, Committee, Law
from app.laws.parser import ParseError, read_upload
from app.laws.services import (
    AlignmentError,
    LawError,
    add_language,
    create_law,
    describe_key,
    parse_text,
    publish_version,
)

laws_cli = AppGroup("laws", help="Manage draft laws.")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _find(model, slug: str | None, what: str):
    if not slug:
        return None
    found = db.session.scalar(select(model).where(model.slug == slug))
    if found is None:
        _fail(f"No {what} with the slug '{slug}'.")
    return found


@laws_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "lang", type=click.Choice(LANGS), required=True, help="Language of the text.")
@click.option("--law", "law_slug", help="Add to this existing draft instead of creating a new one.")
@click.option(
    "--version",
    "version_number",
    type=click.IntRange(1, 2_000_000_000),
    help="With --law: add the language to this version.",
)
@click.option("--title", help="Title of a new draft (default: the text's own title lines).")
@click.option("--slug", help="Web address of a new draft (default: made from the title).")
@click.option("--agency", "agency_slug", help="Drafting agency of a new draft (default: the only one).")
@click.option("--committee", "committee_slug", help="Responsible committee of a new draft.")
@click.option("--note", help="What changed, for a new version.")
def import_command(file, lang, law_slug, version_number, title, slug, agency_slug, committee_slug, note):
    """Import a draft law's text (.txt or .docx), split into chapters, articles, points and sub-points."""
    with force_locale("en"):
        try:
            text = read_upload(file.name, file.read_bytes())
            parsed, flat = parse_text(text, lang)
        except ParseError as error:
            _fail(parse_error_message(error))
        except LawError as error:
            _fail(law_error_message(error))
        try:
            if law_slug:
                law = _find(Law, law_slug, "draft law")
                if version_number is None:
                    version = publish_version(law, lang=lang, text=text, filename=file.name, note=note)
                    action = f"Published version {version.number} of {law.slug}"
                else:
                    version = law.version(version_number)
                    if version is None:
                        _fail(f"{law.slug} has no version {version_number}.")
                    add_language(version, lang=lang, text=text, filename=file.name)
                    if not getattr(law, f"title_{lang}") and parsed.title:
                        setattr(law, f"title_{lang}", parsed.title[:500])
                    action = f"Added {lang} to version {version.number} of {law.slug}"
            else:
                if version_number is not None:
                    _fail("--version needs --law.")
                agency = _find(Agency, agency_slug, "agency")
                if agency is None:
                    agencies = db.session.scalars(select(Agency)).all()
                    if len(agencies) != 1:
                        _fail("Name the drafting agency with --agency SLUG.")
                    agency = agencies[0]
                committee = _find(Committee, committee_slug, "committee")
                law = create_law(
                    agency=agency, committee=committee, created_by=None,
                    titles={lang: title or parsed.title or file.stem}, slug=slug,
                )  # fmt: skip
                publish_version(law, lang=lang, text=text, filename=file.name, note=note)
                action = f"Created draft {law.slug} (status: draft)"
        except AlignmentError as error:
            lines = ["The structure does not match the published version:"]
            lines += [f"  missing in this text: {describe_key(k)}" for k in error.alignment.missing]
            lines += [f"  not in the published version: {describe_key(k)}" for k in error.alignment.extra]
            lines += [f"  different kind: {describe_key(k)}" for k in error.alignment.kind_mismatch]
            _fail("\n".join(lines))
        except LawError as error:
            _fail(law_error_message(error))
    db.session.commit()
    counts = {
        kind: sum(1 for item in flat if item.kind == kind) for kind in ("chapter", "article", "point", "subpoint")
    }
    click.echo(f"{action}: " + ", ".join(f"{n} {kind}s" for kind, n in counts.items()))


DEMO_DIR = Path(__file__).with_name("demo_texts")

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
]
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
]


@click.command("seed-demo")
def seed_demo():
    """Load demo agencies, committees, users of every role and draft laws (safe to run again)."""
    from app.auth.models import User
    from app.auth.passwords import hash_password

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
            user = User(email=email, display_name=name, role=role, password_hash=hash_password(password),
                        email_confirmed_at=utcnow(), locale="kk")  # fmt: skip
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
                    agency=agencies[spec["agency"]], committee=committees[spec["committee"]],
                    created_by=users["editor"], titles={first_lang: parsed.title}, slug=spec["slug"],
                    descriptions=spec["description"],
                )  # fmt: skip
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
    db.session.commit()

    click.echo("Demo drafts: " + (", ".join(created) if created else "already loaded"))
    click.echo("Demo accounts (e-mail / password / role):")
    for email, _name, role, _agency, _committee, password in DEMO_USERS:
        click.echo(f"  {email:28} {password:22} {role}")
