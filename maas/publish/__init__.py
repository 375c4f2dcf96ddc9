"""Published data: the service for journey planners (GTFS-Flex v2, GOFS-lite) and trip
counts for the public (origin-destination by JIS X 0410 square, k distinct riders).

- ``mesh``: JIS X 0410 grid-square codes; ``open_data``: the OD table and its files;
- ``gtfs_flex``: the GTFS-Flex feed; ``gofs``: the GOFS-lite documents;
- ``ride_times``: safe ride-time bounds (policy or history); ``zones``, ``service_days``:
  the service area and calendar as published feeds count them.
"""
