"""Reports made from the analytics: the PDF of a team and period, and the weekly e-mail to managers.

Every figure comes from `analytics.build_report` (the numbers of the dashboard and of
`atalaia report`); nothing here reads a message's text. See docs/decisions/0026-pdf-and-weekly-reports.md.
"""
