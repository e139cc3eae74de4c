"""Output formats of a report: HTML (nbconvert), PDF, Word, Excel — a registry of exporters."""
