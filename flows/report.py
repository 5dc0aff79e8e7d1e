"""The report flow: the research office's annual extract, stored as a snapshot and written to a file."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.common import RETRIES, RETRY_DELAYS, retry_transient, settings_from, store_for


@task(name="annual-extract", retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_transient)
def build_and_write(settings, year: int, out: str, fmt: str, rules_file: str | None) -> dict:
    from ir import report

    store = store_for(settings)
    rules = report.load_rules(rules_file) if rules_file else settings.report
    extract = report.build_extract(store, year, rules)
    snapshot_id = report.snapshot(store, extract, created_by="prefect")
    path = (report.write_xlsx if fmt == "xlsx" else report.write_csv)(extract, Path(out))
    departments = [{"department": r["department"], **r["counts"]} for r in extract.department_rows()]
    return {"path": str(path), "snapshot": snapshot_id, "departments": departments}


@flow(name="report", log_prints=True)
def report_flow(year: int, out: str, fmt: str = "xlsx", rules_file: str | None = None,
                database_url: str | None = None, config_file: str | None = None) -> dict:
    """Build the annual extract of ``year`` under the counting rules, snapshot it, write it to ``out``."""
    settings = settings_from(database_url=database_url, config_file=config_file)
    result = build_and_write(settings, year, out, fmt, rules_file)
    if result["departments"]:
        create_table_artifact(key="ir-report", table=result["departments"], description=f"extract {year}")
    create_markdown_artifact(
        key="ir-report-summary",
        markdown=f"# Annual extract {year}\n\n- file: `{result['path']}`\n- snapshot: {result['snapshot']} "
                 f"(`ir report --from-snapshot {result['snapshot']}` writes it again identically)\n",
        description=f"extract {year}")
    return result
