"""EPISODID moves to the referral, given at receipt (domain.md 6: a referral that never entered treatment is
an episode row with TRIAGED = NA); the episode keeps a copy that the database holds equal to its referral's.
Partner agency involvements gain the date they were recorded (the JW KPI counts what was recorded by a
period's end)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, Q

import referrals.models

SEQUENCE_AND_FUNCTION = """
CREATE SEQUENCE referrals_episode_number;
-- Numbering continues after the highest existing episode number, so copying the existing episodes' IDs
-- onto their referrals (below) can never clash with a newly numbered referral.
SELECT setval(
    'referrals_episode_number',
    COALESCE((SELECT max(substring(episode_id FROM '^E([0-9]+)$')::bigint) FROM referrals_episode), 0) + 1,
    false
);
CREATE FUNCTION referrals_next_episode_id() RETURNS varchar LANGUAGE sql VOLATILE AS $$
    SELECT 'E' || lpad(n::text, greatest(8, length(n::text)), '0') FROM nextval('referrals_episode_number') AS n
$$;
"""
DROP_SEQUENCE_AND_FUNCTION = """
DROP FUNCTION referrals_next_episode_id();
DROP SEQUENCE referrals_episode_number;
"""

# Foreign key checks are deferred in Django's tables; firing them now lets the same migration go on to
# build indexes and constraints (PostgreSQL refuses to alter a table with pending trigger events).
COPY_EXISTING_EPISODE_IDS = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE referrals_referral AS r SET episode_id = e.episode_id
FROM referrals_episode AS e WHERE e.referral_id = r.id AND r.episode_id <> e.episode_id;
"""

# The episode's EPISODID is always its referral's, whoever inserts the row (service, bulk demo, import);
# and an EPISODID, once sent to NDTMS, never changes.
TRIGGERS = """
CREATE FUNCTION referrals_episode_takes_referral_episode_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.episode_id INTO NEW.episode_id FROM referrals_referral AS r WHERE r.id = NEW.referral_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER referrals_episode_episode_id
    BEFORE INSERT OR UPDATE OF episode_id, referral_id ON referrals_episode
    FOR EACH ROW EXECUTE FUNCTION referrals_episode_takes_referral_episode_id();

CREATE FUNCTION referrals_referral_episode_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.episode_id IS DISTINCT FROM OLD.episode_id THEN
        RAISE EXCEPTION 'A referral''s episode ID (EPISODID) never changes: it was %', OLD.episode_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER referrals_referral_episode_id_fixed
    BEFORE UPDATE OF episode_id ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referrals_referral_episode_id_fixed();
"""
DROP_TRIGGERS = """
DROP TRIGGER referrals_referral_episode_id_fixed ON referrals_referral;
DROP FUNCTION referrals_referral_episode_id_fixed();
DROP TRIGGER referrals_episode_episode_id ON referrals_episode;
DROP FUNCTION referrals_episode_takes_referral_episode_id();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_plan_and_waiting_alert_task_kinds"),
    ]

    operations = [
        migrations.RunSQL(SEQUENCE_AND_FUNCTION, DROP_SEQUENCE_AND_FUNCTION),
        migrations.AddField(
            model_name="referral",
            name="episode_id",
            field=models.CharField(
                db_default=referrals.models.NextEpisodeId(),
                editable=False,
                help_text="EPISODID, given when the referral is received.",
                max_length=20,
                unique=True,
                verbose_name="episode ID",
            ),
        ),
        migrations.RunSQL(COPY_EXISTING_EPISODE_IDS, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.AlterField(
            model_name="episode",
            name="episode_id",
            field=models.CharField(
                editable=False,
                help_text="EPISODID: always the referral's (the database sets it from the referral on every write).",
                max_length=20,
                unique=True,
                verbose_name="episode ID",
            ),
        ),
        migrations.AddField(
            model_name="partnerinvolvement",
            name="recorded_on",
            field=models.DateField(
                default=django.utils.timezone.localdate, help_text="When this involvement was recorded."
            ),
            preserve_default=True,
        ),
        # Involvements recorded before this field existed: the start date is the best record of when.
        migrations.RunSQL(
            "SET CONSTRAINTS ALL IMMEDIATE; UPDATE referrals_partnerinvolvement SET recorded_on = started_on;",
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="partnerinvolvement",
            constraint=models.CheckConstraint(
                condition=Q(recorded_on__gte=F("started_on")), name="partner_recorded_on_or_after_start"
            ),
        ),
    ]
