"""Make the audit tables append-only in the database itself, so no code path (nor a
stray ``manage.py shell``) can rewrite history: entries and checkpoints refuse UPDATE
and DELETE; stored content may be deleted (retention) but never changed.

TRUNCATE is left alone on purpose: test databases are flushed with it, and a cut
tail is what signed checkpoints detect."""
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION trust_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER trust_auditentry_append_only BEFORE UPDATE OR DELETE ON trust_auditentry
    FOR EACH ROW EXECUTE FUNCTION trust_refuse_change();
CREATE TRIGGER trust_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON trust_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION trust_refuse_change();
CREATE TRIGGER trust_auditcontent_no_update BEFORE UPDATE ON trust_auditcontent
    FOR EACH ROW EXECUTE FUNCTION trust_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS trust_auditentry_append_only ON trust_auditentry;
DROP TRIGGER IF EXISTS trust_auditcheckpoint_append_only ON trust_auditcheckpoint;
DROP TRIGGER IF EXISTS trust_auditcontent_no_update ON trust_auditcontent;
DROP FUNCTION IF EXISTS trust_refuse_change();
"""
SQLITE_TRIGGERS = [
    ("trust_auditentry_no_update", "UPDATE", "trust_auditentry"),
    ("trust_auditentry_no_delete", "DELETE", "trust_auditentry"),
    ("trust_auditcheckpoint_no_update", "UPDATE", "trust_auditcheckpoint"),
    ("trust_auditcheckpoint_no_delete", "DELETE", "trust_auditcheckpoint"),
    ("trust_auditcontent_no_update", "UPDATE", "trust_auditcontent"),
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for name, op, table in SQLITE_TRIGGERS:
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                                  f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {op} on {table} refused'); END;")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for name, _, _ in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("trust", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
