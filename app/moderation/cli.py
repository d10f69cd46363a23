"""`flask moderation stats` and `flask moderation campaigns`."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import utcnow, writes
from app.extensions import db
from app.laws.models import Law
from app.moderation.campaigns import fingerprint_missing, regroup_law
from app.moderation.stats import queue_stats

moderation_cli = AppGroup("moderation", help="Moderation queues and campaigns.")


@moderation_cli.command("stats")
def stats_command():
    """Print the queue sizes and the age of the oldest pending comment."""
    stats = queue_stats()
    click.echo(f"pending: {stats.pending}")
    click.echo(f"flagged: {stats.flagged}")
    click.echo(f"appeals: {stats.appeals}")
    if stats.oldest_pending_at:
        hours = (utcnow() - stats.oldest_pending_at).total_seconds() / 3600
        click.echo(f"oldest pending: {hours:.1f} h (since {stats.oldest_pending_at:%Y-%m-%d %H:%M} UTC)")
    else:
        click.echo("oldest pending: none")


@moderation_cli.command("campaigns")
@click.option("--law", "slug", help="Only this draft (default: every draft).")
@writes
def campaigns_command(slug):
    """Fingerprint comments that have none and regroup near-identical comments into campaigns."""
    query = select(Law)
    if slug:
        query = query.where(Law.slug == slug)
    laws = db.session.scalars(query).all()
    if slug and not laws:
        raise click.ClickException(f"No draft law with the slug '{slug}'.")
    for law in laws:
        added = fingerprint_missing(law.id)
        groups = regroup_law(law.id)
        campaigns = [g for g in groups if g.is_campaign]
        sizes = ", ".join(str(g.size) for g in campaigns[:10]) or "none"
        click.echo(
            f"{law.slug}: {added} new fingerprints, {len(campaigns)} campaigns (sizes: {sizes}), "
            f"{len(groups) - len(campaigns)} groups of similar comments"
        )
    db.session.commit()
