"""Domain and roads: requests, vehicles, stops, plans; the OSM road network and travel times.

Imports no other project package.
"""

__version__ = "0.1.0"
