"""The engagement record a third-party evaluator keeps (财监〔2021〕4号): working papers, the data
confirmation, the comment round and the archive — all generated from the assessment record."""
