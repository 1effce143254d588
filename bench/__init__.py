"""City-scale benchmark of the analytics chain: ``python -m bench [--json] [--n 250000] [--runs 5]``."""
