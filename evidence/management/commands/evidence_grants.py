"""manage.py evidence_grants --role ROLE: the production rights of the web role on PostgreSQL.

Run it as the database owner after every `migrate` and after `evidence_maintenance --partitions`. The web
role (gunicorn and Celery) may read and write the application's tables, but on the event store it may only
SELECT and INSERT: no UPDATE, DELETE or TRUNCATE, on the partitioned table and on every partition. Not being
the owner, it cannot disable the append-only trigger or drop a partition either (docs/evidence-store.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from psycopg import sql

from evidence.partitions import TABLE, existing_partitions, partition_name

APPEND_ONLY_TABLES = [TABLE]


def grant_web_role(role: str, using: str = "default") -> list[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise CommandError("Role rights exist only on PostgreSQL.")
    append_only = APPEND_ONLY_TABLES + [partition_name(m) for m in existing_partitions(using)]
    ident = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(ident),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        sql.SQL("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {}").format(ident),
    ]
    for table in append_only:
        statements.append(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(sql.Identifier(table), ident)
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.as_string(cursor.connection))
    return append_only


class Command(BaseCommand):
    help = "Grant the web role its production rights: no UPDATE, DELETE or TRUNCATE on evidence events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="The PostgreSQL role that gunicorn and Celery use.")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        tables = grant_web_role(options["role"], options["database"])
        self.stdout.write(f"{options['role']}: append-only on {', '.join(tables)}")
