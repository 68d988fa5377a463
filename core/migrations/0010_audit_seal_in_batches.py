"""Sealing in batches, and a request's sealing never waits: an import that wrote 100,000 audit rows takes about
8 s to chain (measured: docs/architecture.md), and every request's seal would otherwise queue behind it."""

from importlib import import_module

from django.db import migrations

FORWARD = """
DROP FUNCTION core_auditevent_seal();
CREATE FUNCTION core_auditevent_seal(batch integer DEFAULT 5000, wait boolean DEFAULT true) RETURNS bigint AS $$
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
    -- A caller that will not wait leaves its rows to the sealer already running or the next one.
    IF wait THEN
        PERFORM pg_advisory_xact_lock(hashtext('core_auditevent_chain'));
    ELSIF NOT pg_try_advisory_xact_lock(hashtext('core_auditevent_chain')) THEN
        RETURN 0;
    END IF;
    SELECT chain_position, row_hash INTO last_position, last_hash
        FROM core_auditevent WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    last_position := coalesce(last_position, 0);
    last_hash := coalesce(last_hash, '');
    FOR e IN SELECT * FROM core_auditevent WHERE chain_position IS NULL ORDER BY id LIMIT batch LOOP
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
"""
BACKWARD = (
    "DROP FUNCTION core_auditevent_seal(integer, boolean);"
    + import_module("core.migrations.0008_audit_hash_chain")
    .FORWARD.split("-- Still append-only")[0]
    .split("$$ LANGUAGE sql STABLE;", 1)[1]
)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_clinical_change_history")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
