"""HXL hashtags of the statistics CSV's columns (`hxl=true`): the one table that says which.

The Humanitarian Exchange Language (HXL 1.1, https://hxlstandard.org/standard/1-1final/
dictionary/) puts a row of hashtags under the header, so the Humanitarian Data Exchange and its
tools know what each column holds. The CSV stays long: one row per group, the group's values in
key columns and the two measures beside them. So the key columns say what a row counts (a
victim category is a value of `#group+victim+type`, not a column of its own), and the measures
are `#indicator+incidents` (distinct incidents) and `#affected+victims` (distinct victims).
The sex and age attributes (`#affected+f+adults`, `#affected+m+children`...) belong to wide tables
with one column per category, which these files are not.

Keys are dimension codes as strings, so the table can name dimensions before they exist; a test
holds every dimension of `/stats` to a hashtag here.
"""

INCIDENTS_TAG = "#indicator+incidents"
VICTIMS_TAG = "#affected+victims"

DIMENSION_TAGS: dict[str, str] = {
    "admin1": "#adm1+name",
    "country": "#country+code",
    "year": "#date+year",
    "month": "#date+month",
    "source": "#meta+source",
    "verification_status": "#status+verification",
    # Armed actors as ACLED's HXL files tag them: a group, by type or by name.
    "perpetrator_category": "#group+perpetrator+type",
    "armed_party": "#group+perpetrator+name",
    "victim_category": "#group+victim+type",
    "violation": "#event+type",
    "gbv_type": "#event+type+gbv",
    "judicial_stage": "#status+judicial",
    "court": "#org+court+name",
    "age_group": "#group+victim+age",
    "displacement_status": "#group+victim+displacement",
    "disability": "#group+victim+disability",
    "quarter": "#date+quarter",
    "verified_in_quarter": "#date+quarter+verified",
    "verification_timing": "#status+verification+timing",
    "time_of_day": "#event+time",
    "place_type": "#loc+type",
    "displacement_stage": "#status+displacement+stage",
    "reporting_delay": "#status+delay+reporting",
    "service_kind": "#service+type",
    "referral_status": "#status+referral",
}
# With a `measure` that counts only some victims, the victims column says which.
VICTIMS_MEASURE_TAGS = {
    "all_victims": VICTIMS_TAG,
    "victims_referred": VICTIMS_TAG + "+referred",
    "victims_served": VICTIMS_TAG + "+served",
}


def hashtag_row(dimensions: list[str], measure: str = "all_victims") -> list[str]:
    """The hashtag of each column of a statistics CSV grouped by `dimensions`."""
    tags = [DIMENSION_TAGS[name] for name in dimensions]
    return [*tags, INCIDENTS_TAG, VICTIMS_MEASURE_TAGS[measure]]
