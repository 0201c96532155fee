#!/usr/bin/python3
# time-table.py: writes time-table.h, the table t-time.c checks
# mmp_time_parse() against. The value of each valid input is computed
# here by Python (datetime.fromisoformat, calendar.timegm) after a few
# textual rewrites to the forms Python reads; the invalid inputs are
# listed with the rule each breaks. t-time.c runs this script again and
# compares its output with the checked-in header, so the table stays
# what Python says.
#
#   /usr/bin/python3 test/unit/time-table.py >test/unit/time-table.h
import calendar
import datetime
import re
import sys

DATA = "DATE SPACE NO_SECONDS ZONE_OPTIONAL BASIC_OFFSET COMMA"
AUDIT = "DATE SPACE NO_SECONDS ZONE_OPTIONAL NO_FRACTION ZULU"

# (input, flags): must parse
VALID = [
    ("2026-12-05T10:00:00Z", ""),
    ("2026-12-05t10:00:00z", ""),
    ("1970-01-01T00:00:00Z", ""),
    ("1969-12-31T23:59:59Z", ""),
    ("2000-02-29T12:00:00Z", ""),
    ("2024-02-29T23:59:59Z", ""),
    ("2026-01-31T00:00:00Z", ""),
    ("2026-04-30T00:00:00Z", ""),
    ("2026-12-05T10:00:00.5Z", ""),
    ("2026-12-05T10:00:00.123456789Z", ""),
    ("2026-12-05T10:00:00.1234567891234Z", ""),
    ("2026-12-05T10:00:00.000000001Z", ""),
    ("2026-12-05T10:00:00.0Z", ""),
    ("2026-12-05T12:00:00+02:00", ""),
    ("2026-12-05T04:30:00-05:30", ""),
    ("2026-12-05T10:00:00+14:00", ""),
    ("2026-12-05T10:00:00-12:00", ""),
    ("2026-12-05T10:00:00+23:59", ""),
    ("2026-12-05T10:00:00-23:59", ""),
    ("2026-12-05T10:00:00-00:00", ""),
    ("2026-12-05T10:00:00.25+05:45", ""),
    ("0001-01-01T00:00:00Z", ""),
    ("9999-12-31T23:59:59.999999999Z", ""),
    ("2026-12-31T23:59:60Z", ""),
    ("2026-06-30T23:59:60.5Z", ""),
    ("2026-12-05", "DATE"),
    ("2024-02-29", "DATE"),
    ("2026-12-05 10:00:00Z", "SPACE"),
    ("2026-12-05T10:00Z", "NO_SECONDS"),
    ("2026-12-05T10:00+01:00", "NO_SECONDS"),
    ("2026-12-05T10:00:00", "ZONE_OPTIONAL"),
    ("2026-12-05T10:00:00.25", "ZONE_OPTIONAL"),
    ("2026-12-05T10:00:00UTC", "UTC_WORD"),
    ("2026-12-05T10:00:00.5UTC", "UTC_WORD"),
    ("2026-12-05T10:00:00Z", "UTC_WORD"),
    ("2026-12-05T10:00:00+0100", "BASIC_OFFSET"),
    ("2026-12-05T10:00:00-05", "BASIC_OFFSET"),
    ("2026-12-05T10:00:00+01:00", "BASIC_OFFSET"),
    ("2026-12-05T10:00:00,25Z", "COMMA"),
    ("2026-12-05T10:00:00.25Z", "COMMA"),
    ("2026-12-05T10:00:00Z", "NO_FRACTION"),
    ("2026-12-05T10:00:00Z", "ZULU"),
    ("2024-03-01 01:02", DATA),
    ("2024-03-01T01:02:03,5+0100", DATA),
    ("2024-03-01", DATA),
    ("2026-11-23 18:34", AUDIT),
    ("2026-11-23T18:34:52Z", AUDIT),
]

# (input, flags, the rule it breaks): must not parse
INVALID = [
    ("", "", "empty"),
    ("", DATA, "empty, lax"),
    ("2026-13-01T00:00:00Z", "", "month 13"),
    ("2026-00-01T00:00:00Z", "", "month 0"),
    ("2026-02-30T00:00:00Z", "", "Feb 30"),
    ("2023-02-29T00:00:00Z", "", "Feb 29 in a common year"),
    ("1900-02-29T00:00:00Z", "", "Feb 29 in a century not a leap year"),
    ("2026-04-31T00:00:00Z", "", "April 31"),
    ("2026-12-00T00:00:00Z", "", "day 0"),
    ("2026-12-32T00:00:00Z", "", "day 32"),
    ("2023-02-29", DATA, "Feb 29 in a common year, a date"),
    ("2026-12-05T24:00:00Z", "", "hour 24"),
    ("2026-12-05T10:60:00Z", "", "minute 60"),
    ("2026-12-05T10:00:61Z", "", "second 61"),
    ("2026-12-05T10:00:00+24:00", "", "offset +24:00"),
    ("2026-12-05T10:00:00-24:00", "", "offset -24:00"),
    ("2026-12-05T10:00:00+14:60", "", "offset minute 60"),
    ("2026-12-05T10:00:00+99:00", "", "offset +99:00"),
    ("2026-12-05T10:00:00", "", "no zone"),
    ("2026-12-05T10:00:00", "UTC_WORD", "no zone, UTC word allowed"),
    ("2026-12-05T10:00:00Zjunk", "", "trailing garbage"),
    ("2026-12-05T10:00:00Z ", "", "trailing blank"),
    (" 2026-12-05T10:00:00Z", "", "leading blank"),
    ("2026-12-05T10:00:00Z\0", "", "a NUL after"),
    ("2026-12-05T10:00:00\0Z", "", "a NUL inside"),
    ("2026-12-05\0", DATA, "a NUL after a date"),
    ("2026-12-05T10:00:00\377Z", "", "a high byte"),
    ("2026-12-05", "", "a date, strict"),
    ("2026-12-05 10:00:00Z", "", "a space, strict"),
    ("2026-12-05_10:00:00Z", DATA, "neither T nor space"),
    ("2026-12-05T10:00Z", "", "no seconds, strict"),
    ("2026-12-05T10:00:00UTC", "", "UTC, strict"),
    ("2026-12-05T10:00:00utc", "UTC_WORD", "utc in lower case"),
    ("2026-12-05T10:00:00UTCX", "UTC_WORD", "UTC then garbage"),
    ("2026-12-05T10:00:00UT", "UTC_WORD", "UT"),
    ("2026-12-05T10:00:00+0100", "", "basic offset, strict"),
    ("2026-12-05T10:00:00+01", "", "hour offset, strict"),
    ("2026-12-05T10:00:00+01:", DATA, "offset colon without minutes"),
    ("2026-12-05T10:00:00+01:0", DATA, "offset minutes of one digit"),
    ("2026-12-05T10:00:00+010", DATA, "basic offset of three digits"),
    ("2026-12-05T10:00:00+1:00", "", "offset hour of one digit"),
    ("2026-12-05T10:00:00+", DATA, "a bare sign"),
    ("2026-12-05T10:00:00,5Z", "", "comma, strict"),
    ("2026-12-05T10:00:00.Z", "", "empty fraction"),
    ("2026-12-05T10:00:00.5.5Z", "", "two fractions"),
    ("2026-12-05T10:00:00.5Z", "NO_FRACTION", "fraction refused"),
    ("2026-12-05T10:00:00+00:00", "ZULU", "offset refused"),
    ("2026-12-05T10:00:00.5", AUDIT, "fraction, audit"),
    ("2026-12-05T10:00:00+02:00", AUDIT, "offset, audit"),
    ("2026-12-05T10:00.5Z", "NO_SECONDS", "fraction of a minute"),
    ("2026-12-05Z", DATA, "a zone after a date"),
    ("2026-12-05T", DATA, "T and nothing"),
    ("2026-12-05T10", DATA, "hour alone"),
    ("2026-12-05T10:", DATA, "hour and colon"),
    ("2026-12-05T10:00:", DATA, "colon without seconds"),
    ("2026-12-05T10:00:0", DATA, "seconds of one digit"),
    ("26-12-05T10:00:00Z", "", "two-digit year"),
    ("+2026-12-05T10:00:00Z", "", "a signed year"),
    ("-001-01-01T00:00:00Z", "", "a negative year"),
    ("10000-01-01T00:00:00Z", "", "five-digit year"),
    ("20261205T100000Z", "", "ISO 8601 basic format"),
    ("2026-1-05T10:00:00Z", "", "month of one digit"),
    ("2026-12- 5T10:00:00Z", "", "a blank in the day"),
    ("2026-+1-05T10:00:00Z", "", "a sign in the month"),
    ("2026-12-05T1:00:00Z", "", "hour of one digit"),
    ("2026/12/05T10:00:00Z", "", "slashes"),
    ("yesterday", DATA, "a word"),
    ("1733392800", "", "a number"),
]

def cflags(f):
    if not f:
        return "0"
    if f == DATA:
        return "TIME_DATA"
    if f == AUDIT:
        return "TIME_AUDIT"
    return " | ".join("MMP_TIME_" + x for x in f.split())


def cdefine(name, f):
    return "#define %s (%s)\n" % (name, " | \\\n\t".join(
        "MMP_TIME_" + x for x in f.split()))


def cstr(s):
    out = []
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % c)
    return '"' + "".join(out) + '"'


def value(s, flags):
    """seconds and nanoseconds since the epoch, by Python"""
    t = s.replace("t", "T").replace("z", "Z")
    if "UTC_WORD" in flags.split() and t.endswith("UTC"):
        t = t[:-3] + "+00:00"
    ns = 0
    m = re.search(r"[.,](\d+)", t)
    if m:
        ns = int(m.group(1)[:9].ljust(9, "0"))
        t = t[:m.start()] + t[m.end():]
    leap = 0
    m = re.match(r"(.{10}[T ]\d\d:\d\d):60", t)
    if m:
        # a leap second counts as the first second of the next minute
        t = m.group(1) + ":59" + t[m.end():]
        leap = 1
    if len(t) == 10:
        t += "T00:00:00"
    dt = datetime.datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return calendar.timegm(dt.utctimetuple()) + leap, ns


def main():
    w = sys.stdout.write
    w("/* time-table.h: written by time-table.py; do not edit */\n")
    w("/* the flags of the data time column and of the audit filters */\n")
    w(cdefine("TIME_DATA", DATA))
    w(cdefine("TIME_AUDIT", AUDIT))
    w("static const struct time_row {\n\tconst char *s;\n\tsize_t len;\n"
      "\tunsigned flags;\n\tint valid;\n\tlong long sec;\n\tlong nsec;\n"
      "} time_rows[] = {\n")
    for s, f in VALID:
        sec, ns = value(s, f)
        w("\t{ %s, %d,\n\t  %s, 1, %dLL, %dL },\n" %
          (cstr(s), len(s), cflags(f), sec, ns))
    for s, f, why in INVALID:
        w("\t/* %s */\n\t{ %s, %d,\n\t  %s, 0, 0, 0 },\n" %
          (why, cstr(s), len(s), cflags(f)))
    w("};\n")


main()
