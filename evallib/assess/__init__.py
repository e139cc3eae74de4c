"""One assessment per subject: load, score (every reading), review and lint once; its serialised form
is what every later stage reads."""
