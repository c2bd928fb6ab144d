"""Commands for two-step sign-in: enrol a user from the command line, and the
demo's current code."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app


@click.command("totp")
@click.option("--email", required=True)
def totp_command(email):
    """Enrol (or re-enrol) a user in two-step sign-in; prints the secret, the
    otpauth:// URI and ten recovery codes, for staff whose phones cannot scan."""
    from ..services.accounts import two_factor
    from ..services.accounts.users import find_by_email

    user = find_by_email(email)
    if user is None:
        click.echo("No user with this email.", err=True)
        sys.exit(1)
    secret, codes = two_factor.enrol_now(None, user)  # the owner gets the security notice
    click.echo(f"secret={secret}")
    click.echo(two_factor.provisioning_uri(user, secret))
    click.echo("recovery codes (each works once):")
    for code in codes:
        click.echo(f"  {code}")


@click.command("demo-code")
def demo_code_command():
    """The current two-step sign-in code of the demo admin and coordinators."""
    if current_app.config["AFR_ENV"] == "production":
        click.echo("Refused: AFR_ENV=production.", err=True)
        sys.exit(1)
    from ..services.demo.two_factor import demo_code

    click.echo(demo_code())


def echo_demo_two_factor(domain: str) -> None:
    """Called by `flask demo`: enrols the demo staff, says how to sign in."""
    from ..services.demo.two_factor import demo_totp_secret, demo_uri, enrol_demo_staff

    enrol_demo_staff(domain)
    click.echo(f"The admin and coordinators also need a code (two-step sign-in): run "
               f"`flask --app afr_aid demo-code`, or add the key {demo_totp_secret()} to an authenticator "
               f"app (kept in instance/demo_totp_secret; {demo_uri()}).")


def init_app(app: Flask, users_cli) -> None:
    users_cli.add_command(totp_command)
    app.cli.add_command(demo_code_command)
