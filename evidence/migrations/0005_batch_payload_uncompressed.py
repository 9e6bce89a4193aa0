"""Store batch payloads uncompressed on PostgreSQL.

A payload is written once, read once by the expansion and kept only as a record of what was received; pglz
compression of a few hundred kilobytes per request cost more CPU than the disk it saves (bench_ingest).
"""

from django.db import migrations


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE evidence_ingestbatch ALTER COLUMN payload SET STORAGE EXTERNAL")


def compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE evidence_ingestbatch ALTER COLUMN payload SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0004_source_use_cases")]

    operations = [migrations.RunPython(uncompressed, compressed)]
