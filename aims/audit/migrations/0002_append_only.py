"""The audit trail is append-only: the database refuses UPDATE and DELETE on it, as on evidence events."""

from django.db import migrations

POSTGRES = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
SQLITE = [
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END",
    "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END",
]


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
        else:
            for statement in SQLITE:
                cursor.execute(statement)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent")
            cursor.execute("DROP FUNCTION audit_append_only()")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
