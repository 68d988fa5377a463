"""People gain the date they were asked about consent (CONSENT, a DQ field, could not say "not asked yet")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_carer_and_reengagement_end_dates_in_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="consent_asked_on",
            field=models.DateField(
                blank=True,
                help_text="When the person was asked about sharing their record. Leave empty if not asked yet.",
                null=True,
                verbose_name="date asked about consent",
            ),
        ),
        # Whoever consented was asked; the day their record was created is the best record of when.
        migrations.RunSQL(
            "UPDATE referrals_person SET consent_asked_on = (created_at AT TIME ZONE 'Europe/London')::date "
            "WHERE consent_national_return OR consent_partner_sharing;",
            migrations.RunSQL.noop,
        ),
    ]
