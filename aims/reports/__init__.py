"""Reports: report runs rendered in a worker as PDF/A-3b with WeasyPrint, one module per report kind
(aims/reports/kinds/), and the evidence pack's summary. See docs/reports.md."""
