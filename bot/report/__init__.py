"""Evidence for leaders: the value-creation report (Wenger, Trayner & de Laat 2011) and members' value stories.

definitions.py  the indicators, read from bot/data/value_indicators.toml (what each counts, its source)
periods.py      `month`, `quarter`, `year`, `YYYY-MM..YYYY-MM`: the months a report covers, and the ones before
queries.py      one query per indicator, each giving the period and the previous one at once
suppression.py  small cells: fewer than 5 people is "fewer than 5", and so is a cell that would give it away
build.py        the report as plain data; csv.py and chart.py turn it into the CSV and the PNG
stories.py      value stories: the monthly ask, the one function that stores a story, who may read which
monthly.py      when the monthly report is due (first working day, 09:00 in TIMEZONE) and its claim key
"""
