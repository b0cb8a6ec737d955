"""Extraction: turn a segmented Document into a ReportExtraction, task by task, with an engine."""
