"""Trigram likeness for the duplicate check: PostgreSQL's `pg_trgm`, or the same measure in plain SQL.

Production and CI servers have `pg_trgm`. The embedded PostgreSQL of `make run` (pgserver) ships no
contrib extension, so there the migration defines `similarity(text, text)` in SQL with pg_trgm's
definition (words of letters and digits, lower-cased, padded with two spaces in front and one behind;
the share of distinct trigrams the two strings have in common). The duplicate check then reads the
same on both; only the speed differs, which matters on a national register, not on demo data.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db.migrations import AddIndex

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


def trigram_installed(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


class AddTrigramIndex(AddIndex):
    """A `gin_trgm_ops` index on the lower-cased `column` where pg_trgm is installed; nothing on a server
    without it (the search then scans with the SQL `similarity()`, as the duplicate check does).

    Written as SQL because Django wraps `OpClass(Lower(...))` in a second pair of brackets that PostgreSQL
    refuses; the model's `GinIndex` of the same name keeps the migration state in step."""

    def __init__(self, model_name, index, column):
        super().__init__(model_name, index)
        self.column = column

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "column": self.column}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if trigram_installed(schema_editor.connection):
            table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
            schema_editor.execute(
                f'CREATE INDEX "{self.index.name}" ON "{table}" USING gin (lower("{self.column}") gin_trgm_ops)'
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{self.index.name}"')
