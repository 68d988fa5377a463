# The duplicate check on a new person scores close name matches with trigram similarity.
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [TrigramExtension()]
