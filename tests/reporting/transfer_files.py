"""Small transfer-of-care files for the import tests: one good person, changed one field at a time."""

import csv
import io

from reporting.returns.columns import NA, TRANSFER_COLUMNS, Dialect

PERSON = {
    "AGNCY": "OLD01",
    "CLIENTID": "OLD-C-0001",
    "CONSENT": "Y",
    "FINITIAL": "A",
    "SINITIAL": "B",
    "DOB": "1980-05-01",
    "SEX": "M",
    "ETHNIC": "A",
    "PC": "SO14 7LY",
    "LA": "E06000045",
    "GPPTCE": "J82001",
    "HEPBSTAT": "A",
    "HEPBVAC": "2",
    "HEPCSTAT": "A",
    "HEPCTSTD": "Y",
}
EPISODE = {
    **PERSON,
    "EPISODID": "OLD-E-0001",
    "REFLD": "2024-01-08",
    "RFLS": "4",
    "TRIAGED": "2024-01-15",
    "CPLANDT": "2024-02-01",
    "DRUG1": "1011",
    "DRUG1AGE": "18",
    "ROUTE": "1",
    "DRUG2": "3201",
    "INJSTAT": "C",
    "ALCDDAYS": "0",
    "CHILDWTH": "14",
    "PRNTSTAT": "14",
    "PREGNANT": "N",
    "ACCMNEED": "1",
    "EMPSTAT": "05",
    "DUALDIAG": "N",
    "XFIRSTCONTACT": "2024-01-10",
    "XKEYWORKER": "old.keyworker",
    "XCOMPASSESS": "2024-01-22",
    "XRAPSIGNED": "2024-02-01",
    "XRAPREVIEW": "2024-04-20",
    "XCJORDER": "DRR",
    "XCJORDERDT": "2024-01-05",
    "XJOINTWORK": "Y",
}
MODALITY = {
    "MODID": "OLD-M-0001",
    "MODAL": "94",
    "MODSET": "6",
    "REFMODDT": "2024-01-20",
    "FAOMODDT": "2024-01-25",
    "MODST": "2024-01-29",
    "SUBMODDT": "2024-04-01",
}
SECOND_MODALITY = {
    "MODID": "OLD-M-0002",
    "MODAL": "95",
    "MODSET": "6",
    "REFMODDT": "2024-01-20",
    "FAOMODDT": "2024-01-22",
    "MODST": "2024-02-05",
    "MODEND": "2024-06-28",
    "MODEXIT": "A",
    "SUBMODDT": "2024-05-01",
}
TOP = {
    "AGNCY": "OLD01",
    "CLIENTID": "OLD-C-0001",
    "EPISODID": "OLD-E-0001",
    "TOPID": "OLD-T-0001",
    "TOPDATE": "2024-01-22",
    "TRSTAGE": "S",
    "ALCUSE": "0",
    "OPIUSE": "20",
    "CRAUSE": "4",
    "COCAUSE": "0",
    "AMPHUSE": "0",
    "CANNUSE": "10",
    "OTDRGUSE": "0",
    "IVDRGUSE": "20",
    "SHARING": "N",
    "SHOTHEFT": "2",
    "DRGSELL": "0",
    "OTHTHEFT": "0",
    "ASSAULT": "N",
    "PSYHSTAT": "8",
    "PWORK": "0",
    "EDUCAT": "0",
    "ACUTHPBM": "N",
    "HRISK": "Y",
    "PHSTAT": "9",
    "QUALLIFE": "7",
}
# A second person: a referral closed without an episode (6b: XREFCLOSED / XREFOUTCOME), hepatitis never offered.
CLOSED_REFERRAL = {
    "AGNCY": "OLD01",
    "CLIENTID": "OLD-C-0002",
    "EPISODID": "OLD-E-0002",
    "CONSENT": "N",
    "FINITIAL": "C",
    "SINITIAL": "D",
    "DOB": "2003-11-30",
    "SEX": "F",
    "ETHNIC": "Z",
    "LA": "E06000045",
    "REFLD": "2024-03-04",
    "RFLS": "3",
    "HEPBSTAT": "D",
    "HEPCSTAT": "D",
    "HEPCTSTD": "N",
    "XFIRSTCONTACT": "2024-03-05",
    "XJOINTWORK": "N",
    "XREFCLOSED": "2024-03-06",
    "XREFOUTCOME": "BI",
}


def row(*parts: dict, **changes) -> dict:
    values = dict.fromkeys(TRANSFER_COLUMNS, NA)
    for part in parts:
        values.update(part)
    values.update(changes)
    return values


def good_rows() -> list[dict]:
    return [
        row(EPISODE, MODALITY),
        row(EPISODE, SECOND_MODALITY),
        row(TOP),
        row(CLOSED_REFERRAL),
    ]


def as_bytes(rows: list[dict], columns=TRANSFER_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, dialect=Dialect)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(name, NA) for name in columns])
    return out.getvalue().encode()
