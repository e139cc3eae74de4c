"""Collecting data from units: the Excel fill-in template and its import, and file skeletons."""
