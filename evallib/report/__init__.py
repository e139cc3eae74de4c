"""The report: sections as data (data.py), charts (charts.py), HTML fragments (render.py), fonts (fonts.py)
and the cross-subject summary (summary.py). Running notebooks lives in evallib.batch, formats in evallib.export."""
