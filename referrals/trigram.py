"""Trigram likeness for the duplicate check: PostgreSQL's `pg_trgm`, or the same measure in plain SQL.

Production and CI servers have `pg_trgm`. The embedded PostgreSQL of `make run` (pgserver) ships no
contrib extension, so there the migration defines `similarity(text, text)` in SQL with pg_trgm's
definition (words of letters and digits, lower-cased, padded with two spaces in front and one behind;
the share of distinct trigrams the two strings have in common). The duplicate check then reads the
same on both; only the speed differs, which matters on a national register, not on demo data.
"""

from django.contrib.postgres.operations import TrigramExtension

SIMILARITY_SQL = """
CREATE FUNCTION {name}(a text, b text) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    WITH ta AS (
        SELECT DISTINCT substr(w, i, 3) AS t
        FROM (SELECT '  ' || w || ' ' AS w
              FROM regexp_split_to_table(lower(a), '[^[:alnum:]]+') AS w WHERE w <> '') AS words,
             generate_series(1, length(w) - 2) AS i
    ), tb AS (
        SELECT DISTINCT substr(w, i, 3) AS t
        FROM (SELECT '  ' || w || ' ' AS w
              FROM regexp_split_to_table(lower(b), '[^[:alnum:]]+') AS w WHERE w <> '') AS words,
             generate_series(1, length(w) - 2) AS i
    ), together AS (SELECT t FROM ta UNION SELECT t FROM tb)
    SELECT CASE WHEN (SELECT count(*) FROM together) = 0 THEN 0::real
           ELSE (SELECT count(*) FROM ta JOIN tb USING (t))::real / (SELECT count(*) FROM together) END
$$
"""


def trigram_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


class TrigramExtensionOrSqlSimilarity(TrigramExtension):
    """`CREATE EXTENSION pg_trgm` where the server has it, else `similarity()` written in SQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if trigram_available(schema_editor.connection):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            schema_editor.execute(SIMILARITY_SQL.format(name="similarity"))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if trigram_available(schema_editor.connection):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            schema_editor.execute("DROP FUNCTION IF EXISTS similarity(text, text)")

    def describe(self):
        return "Creates extension pg_trgm (or a SQL similarity() where the server lacks it)"
