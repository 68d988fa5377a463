# The duplicate check ranks candidates by trigram likeness in the database (referrals/trigram.py).
from django.db import migrations

from referrals.trigram import TrigramExtensionOrSqlSimilarity


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_person_consent_asked_on")]
    operations = [TrigramExtensionOrSqlSimilarity()]
