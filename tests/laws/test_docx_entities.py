"""A .docx whose document.xml declares entities is refused whatever its encoding, never expanded.

The attack: UTF-16 hides "<!DOCTYPE" and "<!ENTITY" from a byte search, and the standard library's parser then
expands the internal entities (a billion laughs: 738 bytes grew to 15 MB before the size cap).
"""

import io
import time
import zipfile

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.laws.files import extract_docx, read_upload
from app.laws.models import Law
from app.laws.parser import ParseError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Five levels of ten: about 1 KB that the standard parser expands to 1.9 million characters. Expat stops an
# expansion only past 8 MB, so this one gets through it.
LAUGHS = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 6))
BOMB_XML = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    f'<!DOCTYPE w:document [<!ENTITY l0 "Статья 1. ха-ха-ха ">{LAUGHS}]>'
    f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&l5;</w:t></w:r></w:p></w:body></w:document>'
)


def docx_with(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8"])
def test_entity_bomb_is_refused_in_any_encoding(encoding):
    declared = {"utf-16": "UTF-16", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "utf-8": "UTF-8"}[encoding]
    xml = BOMB_XML.replace('encoding="UTF-16"', f'encoding="{declared}"').encode(encoding)
    if encoding != "utf-8":
        assert b"<!DOCTYPE" not in xml and b"<!ENTITY" not in xml  # what a byte filter looks for is not there
    started = time.perf_counter()
    with pytest.raises(ParseError) as error:
        extract_docx(docx_with(xml))
    assert error.value.code == "bad_docx"
    assert time.perf_counter() - started < 1  # refused at the declaration, nothing expanded


def test_a_dtd_without_entities_is_refused_too():
    xml = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w:document SYSTEM "file:///etc/passwd">'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Статья 1. Цель</w:t></w:r></w:p></w:body></w:document>'
    ).encode("utf-16")
    with pytest.raises(ParseError) as error:
        read_upload("law.docx", docx_with(xml))
    assert error.value.code == "bad_docx"


def test_a_utf16_document_without_a_dtd_still_reads():
    xml = (
        f'<?xml version="1.0" encoding="UTF-16"?><w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>Статья 1. Цель</w:t></w:r></w:p><w:p><w:r><w:t>Текст &amp; смысл.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    ).encode("utf-16")
    assert extract_docx(docx_with(xml)) == "Статья 1. Цель\nТекст & смысл."


@pytest.fixture
def editor(create_user, create_agency, auth):
    agency = create_agency(slug="justice")
    user = create_user(role="editor", agency_id=agency.id)
    auth.login(user)
    return user


REFUSALS = {
    "en": "This .docx file cannot be read. Save it again in Word or upload the text as .txt.",
    "ru": "Не удалось прочитать этот файл .docx. Пересохраните его в Word или загрузите текст в формате .txt.",
    "kk": "Бұл .docx файлын оқу мүмкін емес. "
    "Оны Word бағдарламасында қайта сақтаңыз немесе мәтінді .txt түрінде жүктеңіз.",
}


@pytest.mark.parametrize(("lang", "message"), REFUSALS.items(), ids=list(REFUSALS))
def test_editor_upload_of_an_entity_bomb_gets_a_translated_refusal(client, editor, lang, message):
    bomb = docx_with(BOMB_XML.encode("utf-16"))
    response = client.post(
        f"/{lang}/editor/laws/new",
        data={
            "lang": "ru",
            "agency": editor.agency_id,
            "committee": 0,
            "preview": "1",
            "upload": (io.BytesIO(bomb), "draft.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "ха-ха-ха" not in html  # no entity text reached the page
    assert db.session.scalar(select(func.count()).select_from(Law)) == 0
