# A date or time printed without a filter (`{{ referral.received_at }}`, a form's initial value shown) follows
# the house format of core/dates.py too, not Django's en-GB `2 Oct 2024`.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y \\a\\t H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y \\a\\t H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
