# Kept as an empty step: the embedded PostgreSQL (pgserver) ships no contrib extensions, so the
# duplicate check compares names in Python instead of with pg_trgm.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = []
