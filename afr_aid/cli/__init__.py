"""Flask commands, one module per group: users, places and demo data here;
`summaries` (send a week's summary), `protection` (keys, retention, audit
chain), `two_factor` (enrol a user, the demo's code). Each command calls a
service; none holds a rule of its own."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..errors import Invalid

users_cli = AppGroup("users", help="Manage users.")
places_cli = AppGroup("places", help="Manage reference places.")


def _fail(error: Invalid) -> None:
    for field, messages in error.fields.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["volunteer", "coordinator", "donor", "admin"]))
@click.option("--region", "regions", multiple=True, help="Place code, repeatable.")
@click.option("--language", "languages", multiple=True, help="Language code, repeatable.")
@click.option("--skill", "skills", multiple=True, help="Skill code, repeatable.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password as one line from standard input.")
def create_user_command(email, name, role, regions, languages, skills, password_stdin):
    """Create an active user. The password never appears on the command line."""
    from ..services.accounts.users import create_user

    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    if password.endswith("\r"):
        password = password[:-1]
    try:
        user = create_user(None, email=email, name=name, role=role, password=password,
                           regions=list(regions), languages=list(languages), skills=list(skills))
    except Invalid as error:
        _fail(error)
    click.echo(f"created {user.role} {user.email}")


@places_cli.command("import")
@click.argument("csv_file", type=click.File("rb"))
def import_places_command(csv_file):
    """Load places (code,name,level,parent) from a CSV file."""
    from ..services.cases.places import import_places_csv

    try:
        added, updated = import_places_csv(None, csv_file.read())
    except Invalid as error:
        _fail(error)
    click.echo(f"{added} added, {updated} renamed")


@click.command("demo")
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="Bulk-load this many cases and 2,000 users instead (benchmarks).")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option("--variants", "variants_path", type=click.Path(dir_okay=False), default=None,
              help="With --scale: where to write the labelled spelling variants "
                   "(default instance/demo_name_variants.json).")
def demo_command(scale, seed, variants_path):
    """Load demo users and about 200 cases (idempotent; refused in production)."""
    if current_app.config["AFR_ENV"] == "production":
        click.echo("Refused: AFR_ENV=production. Demo data never goes into a real database.", err=True)
        sys.exit(1)
    from ..services.demo.sample import load_demo

    if scale:
        import time

        from ..services.demo.scale import load_scale

        started = time.monotonic()
        created = load_scale(scale, seed=seed, variants_path=variants_path, echo=lambda m: click.echo(m, err=True))
        if created:
            click.echo(f"demo data loaded: {created['users']} users, {created['cases']} cases, "
                       f"{created['events']} events, {created['tokens']} name index rows in "
                       f"{time.monotonic() - started:.0f} s; {created['variants']} labelled spelling "
                       f"variants in {created['variants_path']}")
    else:
        created = load_demo(seed=seed)
        if created:
            click.echo(f"demo data loaded: {created['users']} users, {created['cases']} cases")
    if not created:
        click.echo("demo data already present")
    from ..services.demo.sample import DEMO_LOGINS, demo_password

    click.echo(f"Demo sign-ins, all with the password {demo_password()} (kept in instance/demo_password):")
    for email, role in DEMO_LOGINS:
        click.echo(f"  {role:<12} {email}")
    from ..services.demo.sample import DEMO_DOMAIN
    from .two_factor import echo_demo_two_factor

    echo_demo_two_factor(DEMO_DOMAIN)


def init_app(app: Flask) -> None:
    from .summaries import summaries_cli

    app.cli.add_command(summaries_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(places_cli)
    app.cli.add_command(demo_command)
    from .protection import init_app as init_protection_cli

    init_protection_cli(app)
    from .two_factor import init_app as init_two_factor_cli

    init_two_factor_cli(app, users_cli)
