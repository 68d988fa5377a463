"""The audit log as a hash chain: each row holds the hash of the one before it, so a changed, inserted or deleted
row breaks the chain (`python manage.py verify_audit`). The chain is assigned after a row's transaction commits,
by core_auditevent_seal() in a short transaction of its own (why: docs/architecture.md, "The audit log")."""

from django.db import migrations, models

# The hashed text names each column, so a column added later does not change the hash of older rows; the time
# is hashed as epoch seconds, so the session's time zone does not change it either.
FORWARD = """
CREATE FUNCTION core_auditevent_hash(previous text, e core_auditevent) RETURNS text AS $$
    SELECT encode(sha256(convert_to(
        coalesce(previous, '') || '|' || e.chain_position::text || '|' || jsonb_build_object(
            'id', e.id, 'at', extract(epoch FROM e.at), 'actor_id', e.actor_id,
            'actor_username', e.actor_username, 'action', e.action, 'object_type', e.object_type,
            'object_id', e.object_id, 'object_repr', e.object_repr, 'request_id', e.request_id,
            'ip_address', host(e.ip_address), 'path', e.path, 'details', e.details
        )::text, 'UTF8')), 'hex')
$$ LANGUAGE sql STABLE;

CREATE FUNCTION core_auditevent_seal() RETURNS bigint AS $$
DECLARE
    last_position bigint;
    last_hash text;
    e core_auditevent;
    ids bigint[] := '{}';
    positions bigint[] := '{}';
    previous_hashes text[] := '{}';
    row_hashes text[] := '{}';
BEGIN
    -- One sealer at a time, held only for this short transaction (never for a request's or an import's).
    PERFORM pg_advisory_xact_lock(hashtext('core_auditevent_chain'));
    SELECT chain_position, row_hash INTO last_position, last_hash
        FROM core_auditevent WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    last_position := coalesce(last_position, 0);
    last_hash := coalesce(last_hash, '');
    FOR e IN SELECT * FROM core_auditevent WHERE chain_position IS NULL ORDER BY id LOOP
        last_position := last_position + 1;
        e.chain_position := last_position;
        ids := ids || e.id;
        positions := positions || last_position;
        previous_hashes := previous_hashes || last_hash;
        last_hash := core_auditevent_hash(last_hash, e);
        row_hashes := row_hashes || last_hash;
    END LOOP;
    UPDATE core_auditevent AS a
        SET chain_position = s.position, previous_hash = s.previous_hash, row_hash = s.row_hash
        FROM unnest(ids, positions, previous_hashes, row_hashes) AS s(id, position, previous_hash, row_hash)
        WHERE a.id = s.id;
    RETURN coalesce(array_length(ids, 1), 0);
END;
$$ LANGUAGE plpgsql;

-- Still append-only: the one change allowed is sealing a row, i.e. setting its empty chain columns once.
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_position IS NULL
       AND to_jsonb(OLD) - 'chain_position' - 'previous_hash' - 'row_hash'
           = to_jsonb(NEW) - 'chain_position' - 'previous_hash' - 'row_hash' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

SELECT core_auditevent_seal();
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION core_auditevent_seal();
DROP FUNCTION core_auditevent_hash(text, core_auditevent);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_working_days_are_a_fixed_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_position",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("chain_position__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
