"""Signing keys, signed daily checkpoints and their pushes (DESIGN.md, Checkpoints, Keys, Append-only store).

Checkpoints are append-only like events: a trigger refuses UPDATE and DELETE on PostgreSQL (reusing 0002's
evidence_append_only()) and on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FORWARD = """
CREATE TRIGGER evidence_checkpoint_append_only BEFORE UPDATE OR DELETE ON evidence_checkpoint
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
"""
POSTGRES_REVERSE = "DROP TRIGGER IF EXISTS evidence_checkpoint_append_only ON evidence_checkpoint;"

SQLITE_FORWARD = [
    """
    CREATE TRIGGER evidence_checkpoint_no_update BEFORE UPDATE ON evidence_checkpoint
    BEGIN SELECT RAISE(ABORT, 'evidence rows in evidence_checkpoint are append-only'); END
    """,
    """
    CREATE TRIGGER evidence_checkpoint_no_delete BEFORE DELETE ON evidence_checkpoint
    BEGIN SELECT RAISE(ABORT, 'evidence rows in evidence_checkpoint are append-only'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS evidence_checkpoint_no_update",
    "DROP TRIGGER IF EXISTS evidence_checkpoint_no_delete",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_REVERSE)
    else:
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0007_rollups"),
    ]

    operations = [
        migrations.CreateModel(
            name="SigningKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key_id",
                    models.CharField(help_text="First 16 hex digits of the fingerprint.", max_length=16, unique=True),
                ),
                (
                    "fingerprint",
                    models.CharField(help_text='"SHA256:" and the hex SHA-256.', max_length=71, unique=True),
                ),
                (
                    "public_key",
                    models.CharField(help_text="Base64 of the raw 32-byte Ed25519 public key.", max_length=64),
                ),
                ("algorithm", models.CharField(default="Ed25519", max_length=16)),
                ("activated_at", models.DateTimeField()),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "ordering": ["-activated_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("retired_at__isnull", True)),
                        fields=("algorithm",),
                        name="signingkey_one_current",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("count", models.BigIntegerField()),
                ("first_index", models.BigIntegerField(blank=True, null=True)),
                ("last_index", models.BigIntegerField(blank=True, null=True)),
                ("merkle_root", models.CharField(max_length=64)),
                ("prev_signature", models.CharField(blank=True, max_length=100, null=True)),
                ("signature", models.CharField(max_length=100)),
                ("body", models.TextField(help_text="The exact JCS text that was signed.")),
                ("signed_at", models.DateTimeField()),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkpoints",
                        to="evidence.evidencesource",
                    ),
                ),
                (
                    "key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkpoints",
                        to="evidence.signingkey",
                        to_field="key_id",
                    ),
                ),
            ],
            options={
                "ordering": ["source", "day"],
            },
        ),
        migrations.CreateModel(
            name="CheckpointPush",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sink", models.CharField(help_text='"directory" or "webhook".', max_length=20)),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Waiting to be pushed"), ("pushed", "Pushed"), ("failed", "Failed")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("pushed_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "checkpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="pushes", to="evidence.checkpoint"
                    ),
                ),
            ],
            options={
                "ordering": ["checkpoint", "sink"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "pushed"), _negated=True),
                        fields=["status"],
                        name="checkpointpush_open_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("checkpoint", "sink"), name="checkpointpush_checkpoint_sink_uniq")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="checkpoint",
            index=models.Index(fields=["day"], name="checkpoint_day_idx"),
        ),
        migrations.AddConstraint(
            model_name="checkpoint",
            constraint=models.UniqueConstraint(fields=("source", "day"), name="checkpoint_source_day_uniq"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
