"""Extraction pipeline for Chinese government budget and performance reports."""
