"""A signed plan version is never edited (domain.md 2 step 5), by any path: the database refuses UPDATE and
DELETE of a signed or superseded version, except the one change the sign-off service makes (a signed version
becomes superseded, nothing else changing), and refuses UPDATE and DELETE of the goals, actions and planned
modalities of such a version (as the audit log's trigger does in core 0003). Inserts stay open: bulk loads of
history (the demo, the import) write a signed version's content after the version row."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION recovery_plans_signed_version_read_only() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('signed', 'superseded') THEN
        IF TG_OP = 'UPDATE' AND OLD.status = 'signed' AND NEW.status = 'superseded'
                AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'recovery plan version % is signed: % refused', OLD.id, TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recovery_plans_signed_version_read_only
    BEFORE UPDATE OR DELETE ON recovery_plans_planversion
    FOR EACH ROW EXECUTE FUNCTION recovery_plans_signed_version_read_only();

CREATE FUNCTION recovery_plans_signed_content_read_only() RETURNS trigger AS $$
DECLARE
    version_ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'recovery_plans_action' AND TG_OP = 'UPDATE' THEN
        SELECT array_agg(plan_version_id) INTO version_ids FROM recovery_plans_goal
        WHERE id IN (OLD.goal_id, NEW.goal_id);
    ELSIF TG_TABLE_NAME = 'recovery_plans_action' THEN
        SELECT array_agg(plan_version_id) INTO version_ids FROM recovery_plans_goal WHERE id = OLD.goal_id;
    ELSIF TG_OP = 'UPDATE' THEN
        version_ids := ARRAY[OLD.plan_version_id, NEW.plan_version_id];
    ELSE
        version_ids := ARRAY[OLD.plan_version_id];
    END IF;
    IF EXISTS (
        SELECT 1 FROM recovery_plans_planversion
        WHERE id = ANY(version_ids) AND status IN ('signed', 'superseded')
    ) THEN
        RAISE EXCEPTION '% of a signed recovery plan version: % refused', TG_TABLE_NAME, TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recovery_plans_goal_signed_read_only
    BEFORE UPDATE OR DELETE ON recovery_plans_goal
    FOR EACH ROW EXECUTE FUNCTION recovery_plans_signed_content_read_only();
CREATE TRIGGER recovery_plans_action_signed_read_only
    BEFORE UPDATE OR DELETE ON recovery_plans_action
    FOR EACH ROW EXECUTE FUNCTION recovery_plans_signed_content_read_only();
CREATE TRIGGER recovery_plans_plannedmodality_signed_read_only
    BEFORE UPDATE OR DELETE ON recovery_plans_plannedmodality
    FOR EACH ROW EXECUTE FUNCTION recovery_plans_signed_content_read_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS recovery_plans_plannedmodality_signed_read_only ON recovery_plans_plannedmodality;
DROP TRIGGER IF EXISTS recovery_plans_action_signed_read_only ON recovery_plans_action;
DROP TRIGGER IF EXISTS recovery_plans_goal_signed_read_only ON recovery_plans_goal;
DROP FUNCTION IF EXISTS recovery_plans_signed_content_read_only();
DROP TRIGGER IF EXISTS recovery_plans_signed_version_read_only ON recovery_plans_planversion;
DROP FUNCTION IF EXISTS recovery_plans_signed_version_read_only();
"""


class Migration(migrations.Migration):
    dependencies = [("recovery_plans", "0004_modality_external_id")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
