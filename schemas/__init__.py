"""Pydantic models of every boundary between pipeline stages and of the output contract."""
