"""The interchange format's columns, quoting and file name (domain.md sections 6 and 6b).

Export and import both read this module, so the two directions cannot drift apart.
"""

import csv
from datetime import date

NA = "NA"

PERSON_EPISODE_FIELDS = [
    "AGNCY",
    "CLIENTID",
    "EPISODID",
    "CONSENT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "ETHNIC",
    "PC",
    "LA",
    "GPPTCE",
    "REFLD",
    "RFLS",
    "TRIAGED",
    "CPLANDT",
    "DRUG1",
    "DRUG1AGE",
    "ROUTE",
    "DRUG2",
    "DRUG3",
    "INJSTAT",
    "ALCDDAYS",
    "ALCUNITS",
    "CHILDWTH",
    "PRNTSTAT",
    "PREGNANT",
    "ACCMNEED",
    "EMPSTAT",
    "DUALDIAG",
    "HEPBSTAT",
    "HEPBVAC",
    "HEPCSTAT",
    "HEPCTSTD",
    "DISD",
    "DISRSN",
]
MODALITY_FIELDS = ["MODID", "MODAL", "MODSET", "REFMODDT", "FAOMODDT", "MODST", "MODEND", "MODEXIT", "SUBMODDT"]
TOP_FIELDS = [
    "TOPID",
    "TOPDATE",
    "TRSTAGE",
    "ALCUSE",
    "OPIUSE",
    "CRAUSE",
    "COCAUSE",
    "AMPHUSE",
    "CANNUSE",
    "OTDRGUSE",
    "IVDRGUSE",
    "SHARING",
    "SHOTHEFT",
    "DRGSELL",
    "OTHTHEFT",
    "ASSAULT",
    "PSYHSTAT",
    "PWORK",
    "EDUCAT",
    "ACUTHPBM",
    "HRISK",
    "PHSTAT",
    "QUALLIFE",
]
LOCAL_FIELDS = [
    "XFIRSTCONTACT",
    "XKEYWORKER",
    "XCOMPASSESS",
    "XRAPSIGNED",
    "XRAPREVIEW",
    "XCJORDER",
    "XCJORDERDT",
    "XJOINTWORK",
    "XREFCLOSED",
    "XREFOUTCOME",
]

# The NDTMS return leaves the local X fields out; the transfer-of-care file carries them, in this order.
RETURN_COLUMNS = (*PERSON_EPISODE_FIELDS, *MODALITY_FIELDS, *TOP_FIELDS)
TRANSFER_COLUMNS = (*RETURN_COLUMNS, *LOCAL_FIELDS)

# What a person who has not consented to sharing is sent to NDTMS with (section 6).
NO_CONSENT_FIELDS = ("AGNCY", "CLIENTID", "CONSENT")
# A TOP row carries these keys and its TOP fields; everything else is NA.
TOP_ROW_KEYS = ("AGNCY", "CLIENTID", "EPISODID")
# Identifiers kept verbatim from an imported file (6b): printable text of at most this many characters.
IDENTIFIER_MAX_LENGTH = 20


class Dialect(csv.Dialect):
    """Comma-separated, every value double-quoted, `\\n` line ends (6b: the file ends with one)."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    quoting = csv.QUOTE_ALL
    lineterminator = "\n"
    skipinitialspace = False
    strict = True


def file_name(agency: str, start: date, end: date) -> str:
    """`{AGENCY}-{YYYYMMDD first day}-{YYYYMMDD last day}-TREAT-IN.csv`."""
    return f"{agency}-{start:%Y%m%d}-{end:%Y%m%d}-TREAT-IN.csv"


def cell(value) -> str:
    """A value as the file writes it: dates ISO, booleans Y/N, nothing as NA."""
    if value is None or value == "":
        return NA
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
