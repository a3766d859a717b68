"""Pure-Python + DuckDB ASCOF engine for Adult Social Care Client Level Data (no Django imports).

Modules: ``schema`` (CLD columns), ``load`` (CSV -> typed DuckDB table), ``prepare`` (DHSC main
table: submission selection, filtering, cleaning, de-duplication, person details), ``measures``
(ASCOF 2A, 2B, 2C, 2E, 2E LD, 3D), ``cli`` (command line), ``synth`` (synthetic CLD for benchmarks).
"""
