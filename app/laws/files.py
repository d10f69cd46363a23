"""Read the text of an uploaded draft law: a .txt file in any of its encodings, or a .docx file's paragraphs."""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from app.laws.parser import CONTROL_CHARS, ParseError

MAX_TEXT_BYTES = 2 * 1024 * 1024
# A draft law in Word is a few hundred kilobytes; the cap only keeps uploads bounded.
MAX_DOCX_BYTES = 10 * 1024 * 1024
# Cap on word/document.xml once inflated: what the declared size may claim and what we actually read.
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024

# Bytes that kz1048 decodes as Kazakh letters (Қ Һ Ұ Ә Ө Ғ Ү Ң ...) and cp1251 as Serbian or Ukrainian ones,
# which a Russian or Kazakh law never contains.
_KZ1048_LETTERS = re.compile(rb"[\x8d\x8e\x9d\x9e\xa1-\xa3\xa5\xaa\xaf\xb4\xba\xbc-\xbf]")


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file: UTF-8 (BOM optional), UTF-16/32 with BOM, else cp1251 or kz1048."""
    if len(data) > MAX_TEXT_BYTES:
        raise ParseError("too_large", limit=MAX_TEXT_BYTES)
    # UTF-32 LE starts with the UTF-16 LE mark, so the longer marks are tried first.
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise ParseError("binary") from None
            break
    else:
        if b"\x00" in data:
            raise ParseError("binary")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Older texts from Windows editors are in cp1251 (Russian) or its Kazakh variant kz1048.
            legacy = "kz1048" if _KZ1048_LETTERS.search(data) else "cp1251"
            try:
                text = data.decode(legacy)
            except UnicodeDecodeError:
                raise ParseError("binary") from None
    if len(CONTROL_CHARS.findall(text)) * 100 > len(text):
        raise ParseError("binary")
    if not text.strip():
        raise ParseError("empty")
    return text


_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML", also saved by Word
)


def _w(local: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{local}" for ns in _W_NAMESPACES)


_W_P, _W_T, _W_TAB, _W_BR, _W_CR = _w("p"), _w("t"), _w("tab"), _w("br"), _w("cr")
_W_NO_BREAK_HYPHEN = _w("noBreakHyphen")
# Paragraph and run properties hold tab-stop definitions (<w:tabs><w:tab/>), which are not text.
_W_SKIP = _w("pPr") | _w("rPr")


def extract_docx(data: bytes) -> str:
    """Return the text of a .docx file, one line per paragraph."""
    if len(data) > MAX_DOCX_BYTES:
        raise ParseError("too_large", limit=MAX_DOCX_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = _read_document_xml(archive)
    except ParseError:
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
        struct.error,
        zlib.error,
    ) as exc:
        # A corrupt or encrypted archive surfaces as any of these depending on where it breaks.
        raise ParseError("bad_docx") from exc
    # Word never writes a DTD. A byte search for "<!DOCTYPE" misses one in UTF-16, and the standard parser
    # would expand its entities (738 bytes became 15 MB); defusedxml refuses DTDs and entities in any encoding.
    try:
        root = SafeElementTree.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ParseError("bad_docx") from exc
    text = "\n".join(_paragraph_text(element) for element in root.iter() if element.tag in _W_P)
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ParseError("too_large", limit=MAX_TEXT_BYTES)
    if not text.strip():
        raise ParseError("empty")
    return text


def _read_document_xml(archive: zipfile.ZipFile) -> bytes:
    try:
        info = archive.getinfo("word/document.xml")
    except KeyError:
        raise ParseError("bad_docx") from None
    # A zip bomb declares a huge inflated size; refuse it before inflating anything.
    if info.file_size > MAX_DOCX_XML_BYTES:
        raise ParseError("too_large", limit=MAX_DOCX_XML_BYTES)
    with archive.open(info) as member:
        xml = member.read(MAX_DOCX_XML_BYTES + 1)
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise ParseError("too_large", limit=MAX_DOCX_XML_BYTES)
    return xml


def _paragraph_text(paragraph: ElementTree.Element) -> str:
    parts: list[str] = []
    # Iterative walk: a hostile document can nest elements deeper than Python's recursion limit.
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag in _W_T:
            parts.append(element.text or "")
        elif tag in _W_TAB:
            parts.append(" ")
        elif tag in _W_BR or tag in _W_CR:
            parts.append("\n")
        elif tag in _W_NO_BREAK_HYPHEN:
            # Word stores "5‑1‑бап" typed with a non-breaking hyphen as an element, not a character.
            parts.append("-")
        elif tag in _W_P or tag in _W_SKIP:
            # A nested paragraph (text box) is emitted on its own line by the caller's document-order walk.
            continue
        else:
            stack.extend(reversed(element))
    return "".join(parts)


def read_upload(filename: str, data: bytes) -> str:
    """Return the text of an uploaded .txt or .docx file."""
    name = filename.strip().lower()
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    if extension == "txt":
        return decode_text(data)
    if extension == "docx":
        return extract_docx(data)
    raise ParseError("bad_type", allowed=".txt, .docx")
