"""Date arithmetic in SQL, so a population, a list and its counts stay one query whatever their size (KPIs,
prescribing waits)."""

from django.db.models import DateField, Func, IntegerField


class AddWorkingDays(Func):
    """`core.calendar.add_working_days(date, count)` in SQL: the working day whose ordinal in `core.WorkingDay`
    is the date's plus `count` (a date's ordinal counts the working days up to and including it, so a weekend
    or bank holiday has the ordinal of the working day before it). Dates outside 2000-2100 give NULL."""

    template = (
        "(SELECT later.day FROM core_workingday AS later WHERE later.working AND later.ordinal = "
        "(SELECT earlier.ordinal FROM core_workingday AS earlier WHERE earlier.day = %(expressions)s) + %(count)s)"
    )
    output_field = DateField()

    def __init__(self, expression, count: int, **extra):
        super().__init__(expression, count=int(count), **extra)


class AddDays(Func):
    """`date + days` (PostgreSQL adds whole days to a date and gives a date)."""

    template = "(%(expressions)s + %(days)s)"
    output_field = DateField()

    def __init__(self, expression, days: int, **extra):
        super().__init__(expression, days=int(days), **extra)


class DaysBetween(Func):
    """`later - earlier` in whole days (PostgreSQL: date minus date is an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)
