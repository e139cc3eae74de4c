"""The report: sections as data (data.py), charts (charts.py), HTML fragments (render.py), the
cross-subject summary (summary.py), export (export.py); running notebooks: kernels (kernels.py,
kernel_state.py), one subject (runner.py, outputs.py), where subjects run (backends.py), a batch
with skip-unchanged and its manifest (batch.py), reproducibility check (verify.py)."""
