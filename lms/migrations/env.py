"""Alembic environment: one database, the core branch plus a branch per enabled plugin."""

from __future__ import annotations

from alembic import context
from flask import current_app

config = context.config
migrate_extension = current_app.extensions["migrate"]
target_metadata = migrate_extension.db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=str(migrate_extension.db.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_extension.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_: object, revision: object, directives: list) -> None:
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    arguments = dict(migrate_extension.configure_args)
    arguments.setdefault("process_revision_directives", skip_empty)
    with migrate_extension.db.engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # Batch mode copies a table and drops the old one, which other tables' foreign keys
            # point to: SQLite checks them again after the migration instead (the switch works only
            # outside a transaction).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        # SQLite cannot ALTER most things: batch mode copies the table (render_as_batch in configure_args).
        context.configure(connection=connection, target_metadata=target_metadata, **arguments)
        with context.begin_transaction():
            context.run_migrations()
        if is_sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if problems:
                raise RuntimeError(f"The migration broke foreign keys: {problems[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
