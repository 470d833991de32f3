"""Each command's View, built from query results (pure: no printing, no Rich).

One module per command, so that a call imports only its own view and the shared one:

- shared: what several views draw alike: a figure's value and cell, the figure columns of a
  table of cities (list, show and --fields), indicator labels and headers, years_text, safe_link
- listing: `pilot list`
- show: `pilot show`
- compare: `pilot compare`
- rank: `pilot rank`
- sectors: `pilot sectors`
- regions: `pilot regions`
- sources: `pilot sources`
- measures: `pilot measures`

This file imports none of them: importing the package costs nothing.
"""
