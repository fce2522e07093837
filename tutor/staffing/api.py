"""The only module of ``tutor.staffing`` that other tutor code imports (contract in pyproject.toml).

Staffing: the TAs' queue pages and API, sharing and anonymizing threads, the author inbox and the stuck-map. Nothing
below it in the ramp imports it; the site-wide template tags read whether a thread is shared.
"""

from tutor.staffing.services import is_shared

__all__ = ["is_shared"]
