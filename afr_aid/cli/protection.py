"""Flask commands for data protection: keys, the audit chain, retention.

    flask --app afr_aid keys rotate       new key first, every identifier re-encrypted
    flask --app afr_aid keys retire       drop the old keys once nothing uses them
    flask --app afr_aid keys reindex      rebuild the blind name index
    flask --app afr_aid audit verify      exit 0 when the audit chain is intact
    flask --app afr_aid retention run     erase identifiers of long-closed cases

They print counts and ids, never a name.
"""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

keys_cli = AppGroup("keys", help="Encryption keys of the stored identifiers.")
audit_cli = AppGroup("audit", help="The audit log.")
retention_cli = AppGroup("retention", help="Retention of direct identifiers.")


@keys_cli.command("rotate")
@click.option("--batch-size", default=1000, show_default=True)
@click.option("--no-new-key", is_flag=True,
              help="Only re-encrypt with the first configured key (keys from AFR_ENCRYPTION_KEYS).")
def rotate_command(batch_size, no_new_key):
    """Put a new key first, then re-encrypt every identifier with it."""
    from ..infra.crypto import KeyProblem, keyring
    from ..services.protection import keys

    new_key = not no_new_key
    if new_key and keyring().from_env:
        click.echo("Keys come from AFR_ENCRYPTION_KEYS: put a new key first there (flask keys generate), "
                   "restart the service, then run `flask keys rotate --no-new-key`.", err=True)
        sys.exit(1)
    try:
        changed = keys.rotate(new_key=new_key, batch=batch_size)
    except KeyProblem as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)
    stale = keys.stale_values(batch_size)
    click.echo(f"{changed} values re-encrypted; {stale} still under an older key; "
               f"{len(keyring().keys)} keys in the ring")
    if stale:
        sys.exit(1)


@keys_cli.command("retire")
def retire_command():
    """Remove every key but the newest, if no stored value still needs one."""
    from ..infra.crypto import KeyProblem, retire_old_keys
    from ..services.protection import keys

    stale = keys.stale_values()
    if stale:
        click.echo(f"Refused: {stale} values are still under an older key; run `flask keys rotate` first.", err=True)
        sys.exit(1)
    try:
        click.echo(f"{retire_old_keys()} old keys removed")
    except KeyProblem as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)


@keys_cli.command("generate")
def generate_command():
    """Print a new Fernet key (for AFR_ENCRYPTION_KEYS)."""
    from ..infra.crypto import generate_key

    click.echo(generate_key())


@keys_cli.command("reindex")
def reindex_command():
    """Rebuild the blind name index (after AFR_BLIND_INDEX_KEY changed)."""
    from ..services.cases import name_index

    click.echo(f"{name_index.rebuild()} cases indexed")


@audit_cli.command("verify")
def verify_command():
    """Check the audit hash chain; name the first bad row."""
    from ..services.protection.audit import verify_chain

    bad_id, problem, checked = verify_chain()
    if problem:
        where = f"row {bad_id} " if bad_id is not None else ""
        click.echo(f"audit log BROKEN: {where}{problem} ({checked} entries checked)", err=True)
        sys.exit(2)
    click.echo(f"audit log intact: {checked} entries")


@retention_cli.command("run")
def retention_command():
    """Erase the direct identifiers of cases closed longer than RETENTION_DAYS."""
    from ..services.protection.retention import run_retention

    click.echo(f"identifiers erased from {run_retention()} closed cases")


def init_app(app: Flask) -> None:
    for group in (keys_cli, audit_cli, retention_cli):
        app.cli.add_command(group)
