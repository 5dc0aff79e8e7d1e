"""Prefect flows: thin orchestration of the ir library, one flow per stage and a pipeline that chains them.

Run without a server (Prefect's ephemeral mode) or against one (PREFECT_API_URL). Every run publishes
artifacts: a table per stage and a markdown summary of what needs a person's attention.
"""
