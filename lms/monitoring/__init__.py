"""Monitoring: the fact table of counted certificates, external certificates, indicators, reports."""
