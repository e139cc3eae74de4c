"""Deliverables: Excel workbooks, the data-collection template and its import, PDF and Word exports."""
