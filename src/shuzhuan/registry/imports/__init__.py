"""Enterprise import (CSV/XLSX → registry): pure row rules, streaming readers, the write path, jobs.

- `rows`: header mapping and per-cell parsing and validation (pure Python).
- `readers`: CSV (encoding detected) and XLSX readers yielding rows as Excel numbers them.
- `service`: validates and writes in chunks inside one transaction; the JSON report.
- `annotate`: the uploaded rows written back as XLSX with an 错误说明 column.
- `tasks`: background jobs for the browser flow.
"""
