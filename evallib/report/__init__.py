"""The report: sections as data (data.py), charts (charts.py), HTML fragments (render.py),
notebook execution (runner.py), export (export.py) and the cross-subject summary (summary.py)."""
