"""Adult Social Care Client Level Data (CLD) column contract.

The 49 submitted fields of the CLD specification (national-data.md §1.2, field names as submitted,
with spaces) plus an optional ``LA_Code`` column.  Each entry is
``(submitted field name, database column name, duckdb type)``.

Dates are ``DATE``; "Unit Cost" and "Planned units per week" are ``DECIMAL(18,2)`` (the DHSC
validator checks they cast to NUMERIC(18,2)); "No. of adults being cared for" is ``INTEGER``;
everything else is ``VARCHAR``.
"""

from __future__ import annotations

DATE = "DATE"
VARCHAR = "VARCHAR"
MONEY = "DECIMAL(18,2)"
INTEGER = "INTEGER"

CLD_COLUMNS: list[tuple[str, str, str]] = [
    ("Reporting Period Start Date", "Reporting_Period_Start_Date", DATE),
    ("Reporting Period End Date", "Reporting_Period_End_Date", DATE),
    ("NHS Number", "NHS_Number", VARCHAR),
    ("LA Person Unique Identifier", "LA_Person_Unique_Identifier", VARCHAR),
    ("First Name", "First_Name", VARCHAR),
    ("Last Name", "Last_Name", VARCHAR),
    ("GP Practice Name", "GP_Practice_Name", VARCHAR),
    ("GP Practice Code", "GP_Practice_Code", VARCHAR),
    ("Gender", "Gender", VARCHAR),
    ("Ethnicity", "Ethnicity", VARCHAR),
    ("Date of Birth", "Date_of_Birth", DATE),
    ("Date of Death", "Date_of_Death", DATE),
    ("Client Type", "Client_Type", VARCHAR),
    ("Primary Support Reason", "Primary_Support_Reason", VARCHAR),
    ("Postcode", "Postcode", VARCHAR),
    ("Accommodation Status", "Accommodation_Status", VARCHAR),
    ("Employment Status", "Employment_Status", VARCHAR),
    ("Has Unpaid Carer", "Has_Unpaid_Carer", VARCHAR),
    ("Autism Spectrum Disorder (ASD)", "Autism_Spectrum_Disorder_ASD", VARCHAR),
    ("Visual Impairment", "Visual_Impairment", VARCHAR),
    ("Hearing Impairment", "Hearing_Impairment", VARCHAR),
    ("Dementia", "Dementia", VARCHAR),
    ("Client Funding Status", "Client_Funding_Status", VARCHAR),
    ("Event Type", "Event_Type", VARCHAR),
    ("Event Reference", "Event_Reference", VARCHAR),
    ("Event Start Date", "Event_Start_Date", DATE),
    ("Event End Date", "Event_End_Date", DATE),
    ("Event Description", "Event_Description", VARCHAR),
    ("Event Outcome", "Event_Outcome", VARCHAR),
    ("Request: Route of Access", "Request_Route_of_Access", VARCHAR),
    ("Assessment Type", "Assessment_Type", VARCHAR),
    ("Eligible Needs Identified", "Eligible_Needs_Identified", VARCHAR),
    ("Method of Assessment", "Method_of_Assessment", VARCHAR),
    ("Total Hrs Caring per week", "Total_Hrs_Caring_per_week", VARCHAR),
    ("No. of adults being cared for", "No_of_adults_being_cared_for", INTEGER),
    ("Adult 1 Linked Person_ID", "Adult_1_Linked_Person_ID", VARCHAR),
    ("Adult 2 Linked Person_ID", "Adult_2_Linked_Person_ID", VARCHAR),
    ("Adult 3 Linked Person_ID", "Adult_3_Linked_Person_ID", VARCHAR),
    ("Service Type", "Service_Type", VARCHAR),
    ("Service Component", "Service_Component", VARCHAR),
    ("Delivery Mechanism", "Delivery_Mechanism", VARCHAR),
    ("Provider CQC Location Name", "Provider_CQC_Location_Name", VARCHAR),
    ("Provider CQC Location ID", "Provider_CQC_Location_ID", VARCHAR),
    ("Review Reason", "Review_Reason", VARCHAR),
    ("Review Outcomes Achieved", "Review_Outcomes_Achieved", VARCHAR),
    ("Method of Review", "Method_of_Review", VARCHAR),
    ("Unit Cost", "Unit_Cost", MONEY),
    ("Cost Frequency (Unit Type)", "Cost_Frequency_Unit_Type", VARCHAR),
    ("Planned units per week", "Planned_units_per_week", MONEY),
]

# Optional: added by the national collection, not a submitted field.  A single council's file
# normally lacks it; the engine then uses DEFAULT_LA_CODE.
OPTIONAL_COLUMNS: list[tuple[str, str, str]] = [("LA Code", "LA_Code", VARCHAR)]

DEFAULT_LA_CODE = "LA"

SUBMITTED_NAMES = [c[0] for c in CLD_COLUMNS]
DB_NAMES = [c[1] for c in CLD_COLUMNS]
ALL_COLUMNS = CLD_COLUMNS + OPTIONAL_COLUMNS
TYPES = {db: typ for _, db, typ in ALL_COLUMNS}


def create_table_sql(table: str = "cld_input", *, with_la_code: bool = True) -> str:
    """``CREATE TABLE`` statement for an empty, typed CLD input table."""
    cols = ALL_COLUMNS if with_la_code else CLD_COLUMNS
    body = ",\n  ".join(f'"{db}" {typ}' for _, db, typ in cols)
    return f'CREATE TABLE "{table}" (\n  {body}\n)'


def normalise_header(name: str) -> str:
    """Key used to match a CSV header to a field: lower case, single spaces, no BOM."""
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


HEADER_LOOKUP: dict[str, str] = {}
for _sub, _db, _typ in ALL_COLUMNS:
    HEADER_LOOKUP[normalise_header(_sub)] = _db
    HEADER_LOOKUP[normalise_header(_db)] = _db
    HEADER_LOOKUP[normalise_header(_db.replace("_", " "))] = _db
