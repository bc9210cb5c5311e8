"""Run charts: a measure's series over time, its runs analysis, a PNG and a CSV export (issue 12).

Pure domain: no Slack, no database. `analysis` holds the rules, `numbers` reads what clinicians
type, `render` draws the PNG, `export` writes the CSV.
"""
