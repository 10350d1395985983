"""English dates that nobody reads two ways: "1 Dec 2026", never "12/01/2026" (is that
the 1st of December or the 12th of January?), and a 24-hour clock. Input stays as it is:
date fields send ISO dates (``<input type="date">``)."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
