"""File bytes to a staged source of text: CSV, XLSX, Parquet and OCDS JSON look alike afterwards.

Every reader produces the same thing, a `StagedFile` (`staged.py`): a SQL source with text columns
`c0..cN`, the file's original headers, and how to number rows as the user sees them in a
spreadsheet. `dispatch.stage_file` checks the size and picks the reader by the file's suffix, or by
its first bytes (`sniff.py`, which also tells encodings, line endings, delimiters and the header
row). A CSV file stays on disk and is read by DuckDB's vectorised reader straight into the typed
table (one pass over a large file, `csv.py`); the other formats (`excel.py`, `parquet.py`,
`json.py`) are put into a temp table with a `_row` column. `scan.py` hashes the file and finds its
empty lines. Typing and validation happen afterwards, in SQL (`validate.py`, `writes.py`).
"""
