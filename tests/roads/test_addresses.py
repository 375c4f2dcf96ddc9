"""Addresses from OSM ``addr:*`` tags: written from the city down, read from a real extract,
and searchable in the gazetteer of a network loaded from an OSM file."""

from __future__ import annotations

from pathlib import Path

from maas.roads import load_network
from maas.roads.addresses import address_label, read_addresses
from maas.roads.gazetteer import Gazetteer
from maas.settings import settings

TOYAMA_PBF = settings().data_dir / "osm" / "toyama.osm.pbf"


def test_japanese_parts_are_written_from_the_city_down() -> None:
    assert address_label({"addr:province": "富山県", "addr:city": "富山市",
                          "addr:quarter": "婦中町", "addr:neighbourhood": "速星",
                          "addr:block_number": "754", "addr:housenumber": "2"}
                         ) == "富山市婦中町速星754-2"
    assert address_label({"addr:full": "富山県富山市桜町1丁目5-20", "name": "ホテル"}
                         ) == "富山県富山市桜町1丁目5-20（ホテル）"
    assert address_label({"addr:street": "Hauptstraße", "addr:housenumber": "3",
                          "addr:city": "Bayreuth"}) == "Hauptstraße 3, Bayreuth"
    assert address_label({"addr:city": "富山市", "name": "郵便局"}) is None  # only a city


def test_the_toyama_extract_has_japanese_addresses() -> None:
    assert TOYAMA_PBF.is_file(), f"the reference data is missing: {TOYAMA_PBF} (MAAS_DATA_DIR)"
    found = {label: (lat, lon) for label, lat, lon in read_addresses(TOYAMA_PBF, "pbf")}
    assert "富山県富山市桜町1丁目5-20（アパヴィラホテル富山駅前）" in found
    assert any(label.startswith("富山市婦中町") for label in found)
    lat, lon = found["富山県富山市桜町1丁目5-20（アパヴィラホテル富山駅前）"]
    assert 36.6 < lat < 36.8 and 137.1 < lon < 137.3
    # a bounding box far away keeps none
    assert read_addresses(TOYAMA_PBF, "pbf", (11.0, 49.0, 11.1, 49.1)) == []


OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="43.0000" lon="142.0000"/>
  <node id="2" lat="43.0000" lon="142.0100"/>
  <node id="3" lat="43.0000" lon="142.0200"/>
  <node id="4" lat="43.0050" lon="142.0100"/>
  <node id="10" lat="43.0010" lon="142.0050">
    <tag k="addr:city" v="美瑛町"/><tag k="addr:quarter" v="本町"/>
    <tag k="addr:neighbourhood" v="1丁目"/><tag k="addr:block_number" v="2"/>
    <tag k="addr:housenumber" v="3"/><tag k="name" v="美瑛町役場"/>
  </node>
  <node id="11" lat="44.5" lon="145.0"><tag k="addr:quarter" v="遠い町"/></node>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="本町通"/></way>
  <way id="101"><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_an_osm_files_addresses_are_in_the_gazetteer(tmp_path: Path) -> None:
    path = tmp_path / "town.osm"
    path.write_text(OSM, encoding="utf-8")
    network = load_network(path, cache=False)
    g = Gazetteer.of({}, network)
    hit = g.search("本町1丁目2-3")
    assert [(p.name, p.kind) for p in hit] == [("美瑛町本町1丁目2-3（美瑛町役場）", "address")]
    assert (hit[0].lat, hit[0].lon) == (43.001, 142.005)
    assert g.search("役場")[0].kind == "address"
    assert g.search("遠い町") == []  # outside the network
    assert g.search("本町")[0].name == "本町通"  # a road before an address
