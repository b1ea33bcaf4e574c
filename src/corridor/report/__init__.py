"""Reports and charts: faces that turn results into documents and images.

A situation report (``corridor report``, ``GET /v1/reports/situation``): :func:`gather` reads
what it shows from the application as of one signed checkpoint, :func:`render_html` writes it
(Jinja2), :func:`render_pdf` lays the HTML out as PDF (WeasyPrint). docs/reports.md.
"""

from corridor.report.build import ReportData, ReportRequest, gather
from corridor.report.html import render_html
from corridor.report.pdf import render_pdf

__all__ = ["ReportData", "ReportRequest", "gather", "render_html", "render_pdf"]
