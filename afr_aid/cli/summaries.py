"""`flask summaries send --week 2026-W47 [--dry-run]`."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..errors import Invalid

summaries_cli = AppGroup("summaries", help="Weekly summaries.")


@summaries_cli.command("send")
@click.option("--week", required=True, help="ISO week, e.g. 2026-W47; the current week sends its figures so far.")
@click.option("--dry-run", is_flag=True, help="Show who would get it; store and send nothing.")
def send_command(week, dry_run):
    """Queue a week's summary for every recipient who has not had it yet.
    Safe to repeat: nobody gets the same week twice."""
    from ..services.notifications import summaries

    try:
        report = summaries.send_week(week.strip(), dry_run=dry_run)
    except Invalid as error:
        for messages in error.fields.values():
            for message in messages:
                click.echo(f"week: {message}", err=True)
        sys.exit(1)
    state = "partial (figures so far)" if report["partial"] else "complete"
    verb = "would queue" if dry_run else "queued"
    click.echo(f"{report['week']} ({state}): {report['recipients']} recipient(s) in {report['scopes']} scope(s); "
               f"{verb} {report['queued']}, {report['already']} already had it")
    if not dry_run and report["queued"]:
        click.echo("A Celery worker delivers them (or the outbox sweep, if the broker is down).")
