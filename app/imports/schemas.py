"""What an import answers: a report of what it did, or would do, and every problem found."""

from typing import Literal

from pydantic import BaseModel, Field


class ImportProblem(BaseModel):
    sheet: str
    row: int | None = Field(description="The row as the spreadsheet numbers it (1: the headers).")
    column: str | None = Field(description="The column's header, as the file names it.")
    cell: str | None = Field(description="The cell, e.g. `E7`.")
    message: str = Field(description="What was expected, in the language asked for.")


class ImportReport(BaseModel):
    kind: Literal["incident_recorder"] = "incident_recorder"
    file_type: Literal["xlsx", "csv"] | None
    dry_run: bool
    imported: bool = Field(description="True only when the incidents were stored.")
    rows: int = Field(description="Rows read (blank rows are not counted).")
    created: int = Field(description="Incidents created, or that would be (dry run).")
    already_imported: int = Field(
        description="Rows whose INCIDENT ID the organisation already holds: not created again."
    )
    skipped_non_sexual: int = Field(
        description="Rows left out because their GBV type is not sexual violence (only when "
        "asked for with `skip_non_sexual`)."
    )
    problems: list[ImportProblem]
    problems_not_listed: int = Field(description="Further problems beyond those listed.")
    columns_not_kept: list[str] = Field(
        description="Columns of the file that the registry has no field for: read, not stored."
    )
    summary: str
