"""How a version is laid out for readers: its sections in document order and as a tree, and their language."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.i18n import fallback_order
from app.laws.models import LawVersion, Section


def load_sections(version: LawVersion) -> list[Section]:
    """Return every section of a version in document order with one query."""
    return list(db.session.scalars(select(Section).where(Section.version_id == version.id).order_by(Section.position)))


@dataclass
class TreeNode:
    section: Section
    children: list["TreeNode"] = field(default_factory=list)


def build_tree(sections: list[Section]) -> list[TreeNode]:
    """Nest sections loaded in one query, so templates never lazy-load children."""
    nodes = {s.id: TreeNode(s) for s in sections}
    roots: list[TreeNode] = []
    for s in sections:
        parent = nodes.get(s.parent_id) if s.parent_id else None
        (parent.children if parent else roots).append(nodes[s.id])
    return roots


def text_language(version: LawVersion, lang: str) -> str:
    """Return the language to show a version's text in: the reader's, else the first available by fallback_order."""
    for code in fallback_order(lang):
        if version.has_language(code):
            return code
    return lang
