"""Coordinates and counties: read them, convert to WGS-84, check them against the map.

* :func:`parse_coordinate` reads decimals and degrees-minutes-seconds
  (``120°35'12.3"E``, ``东经120度35分12.3秒``); :func:`split_lonlat` splits one
  ``"lon,lat"`` cell.
* :func:`parse_county` knows each county by adcode, full name, short name,
  former name and English name; short and former names and the city
  prefixes (浙江省…市) come from the region's ``region.json``
  (:mod:`geo.region.region`).
* :func:`locate_points` swaps lat/lon typed the wrong way round, converts the
  declared datum to WGS-84 through :mod:`geo.crs`, and finds the county each
  point falls in and how far it lies from the county its row claims.
* the datum a register was really typed in is judged by :mod:`geo.ingest.datum`.

All arrays are vectorised; the county test is one prepared point-in-polygon
pass per county.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.crs import CGCS2000_GK_120E, WGS84, bd09_to_wgs84, check_datum, gcj02_to_wgs84, require_crs
from geo.ingest.parsers import Parsed, cell_text, map_unique
from geo.region.region import County, Region, load_region

_DMS = re.compile(
    r"^(?P<h1>[nsew]|东经|北纬|西经|南纬)?(?P<d>\d+(?:\.\d+)?)(?:°|度|d)"
    r"(?:(?P<m>\d+(?:\.\d+)?)(?:'|′|’|分|m))?(?:(?P<s>\d+(?:\.\d+)?)(?:\"|″|′′|''|”|秒|s))?(?P<h2>[nsew]?)$"
)
# Plausible ranges for the Yangtze delta, used to spot swapped columns.
_LON_RANGE = (73.0, 136.0)
_LAT_RANGE = (3.0, 54.0)


def parse_coordinate(series: pd.Series) -> Parsed:
    """Parse decimal degrees or degrees-minutes-seconds into floats (sign from S/W).

    Parameters
    ----------
    series
        One column of the file, cells as read.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = pd.to_numeric(text.where(text.ne("")), errors="coerce").astype("float64")  # fast path: plain decimals
    blank = text.str.strip().eq("")
    todo = values.isna() & ~blank
    if todo.any():
        norm = text[todo].str.normalize("NFKC").str.lower().str.replace(r"\s+", "", regex=True)
        values.loc[todo] = pd.to_numeric(norm, errors="coerce").astype("float64")
        rest = norm[values[todo].isna().to_numpy()]
        if len(rest):
            values.loc[rest.index] = _dms_degrees(rest)
    values = values.where(np.isfinite(values.to_numpy(dtype="float64")))
    blank_arr = blank.to_numpy(dtype=bool)
    return Parsed(values, blank_arr, ~blank_arr & values.isna().to_numpy(dtype=bool), np.zeros(len(text), dtype=bool))


def _dms_degrees(norm: pd.Series) -> pd.Series:
    """Read normalised degrees-minutes-seconds text; NaN where it is not DMS."""
    parts = norm.str.extract(_DMS)
    degrees = pd.to_numeric(parts["d"], errors="coerce")
    minutes = pd.to_numeric(parts["m"], errors="coerce").fillna(0.0)
    seconds = pd.to_numeric(parts["s"], errors="coerce").fillna(0.0)
    dms = (degrees + minutes / 60.0 + seconds / 3600.0).where((minutes < 60) & (seconds < 60))
    west_south = parts["h1"].isin(["s", "w", "西经", "南纬"]) | parts["h2"].isin(["s", "w"])
    return dms.where(~west_south, -dms).astype("float64")


def split_lonlat(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split one ``"lon,lat"`` cell (comma, full-width comma, semicolon, slash or space) into two text columns.

    Parameters
    ----------
    series
        One column of ``lon,lat`` cells.

    Returns
    -------
    tuple of Series
        ``(lon text, lat text)``; same index.
    """
    text = cell_text(series).str.normalize("NFKC").str.strip()
    parts = text.str.split(r"\s*[,;/]\s*|\s+", n=1, regex=True).tolist()  # expand=True fails on an empty column
    first = [p[0] if isinstance(p, list) else "" for p in parts]
    second = [p[1] if isinstance(p, list) and len(p) > 1 else "" for p in parts]
    return pd.Series(first, index=text.index, dtype=str), pd.Series(second, index=text.index, dtype=str)


@dataclass(frozen=True)
class CountyLookup:
    """Every way of naming a county -> its adcode, built from the county table."""

    keys: dict[str, str]
    names: dict[str, str]  # adcode -> official name
    prefixes: tuple[str, ...] = ()  # city prefixes a register may put before a county name, longest first
    city: str = ""  # the region's name, for messages
    example_short: str = ""  # a short name and a former name a register may use, for messages
    example_former: str = ""

    @classmethod
    def from_counties(cls, counties: gpd.GeoDataFrame, *, region: Region | None = None) -> CountyLookup:
        """Build the lookup from a county table (``adcode``, ``name``, ``name_en``).

        Parameters
        ----------
        counties
            The counties a register may name.
        region
            Where short names, former names (the names change; registers do
            not) and city prefixes come from (default: the region in use).
            Only names of counties in ``counties`` are used.

        Returns
        -------
        The lookup.
        """
        region = region or load_region()
        keys: dict[str, str] = {}
        names: dict[str, str] = {}
        for adcode, name, name_en in zip(counties["adcode"].astype(str), counties["name"], counties["name_en"], strict=True):
            names[adcode] = name
            english = str(name_en).lower().replace(" ", "")
            short_en = re.sub(r"(district|county|city)$", "", english)
            short = name[:-1] if len(name) > 2 and name[-1] in "区县市" else name
            for key in (adcode, name, short, english, short_en, short_en + "qu", short_en + "xian", short_en + "shi"):
                keys[_county_key(key)] = adcode
        for county in region.counties:
            if county.adcode in names:
                keys.update({_county_key(k): county.adcode for k in (county.short_name, *county.former_names) if k})
        prefixes = tuple(dict.fromkeys(_county_key(p) for p in region.city_prefixes))  # longest first, as the region gives them
        example = _alias_example(region, names)
        return cls(
            keys=keys,
            names=names,
            prefixes=prefixes,
            city=region.name,
            example_short=example.short_name if example else "",
            example_former=example.former_names[0] if example and example.former_names else "",
        )

    def alias_hint(self) -> str:
        """Return the hint that short and former names are allowed, with examples from the region (for messages).

        Returns
        -------
        str
            Such as "也可填简称（…）或旧称（…）" (empty parts left out).
        """
        if self.example_short and self.example_former:
            return f"也可填简称（{self.example_short}）或旧称（{self.example_former}）"
        return f"也可填简称（{self.example_short}）" if self.example_short else "也可填简称或旧称"

    def allowed(self) -> str:
        """Return the counties a user may write, for messages."""
        return "、".join(f"{name}（{adcode}）" for adcode, name in self.names.items())

    def code(self, text: str) -> str | None:
        """Return the adcode of a county name, former name or code as written, else None.

        Parameters
        ----------
        text
            A county's name, short form, former name or code, as written.

        Returns
        -------
        str or None
            The six-digit adcode, or None when not understood.
        """
        key = _county_key(text)
        for prefix in self.prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :]
                break
        if re.fullmatch(r"\d{9,12}", key):
            key = key[:6]
        return self.keys.get(key)

    def suggest(self, text: str) -> str | None:
        """Return the official name of the county ``text`` is probably a typo of (诸既市 → 诸暨市), else None.

        Parameters
        ----------
        text
            A county name that :meth:`code` did not understand.

        Returns
        -------
        str or None
            The official county name when exactly one known name is close (difflib ratio ≥ 0.6).
        """
        key = _county_key(text)
        for prefix in self.prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :]
                break
        close = difflib.get_close_matches(key, [k for k in self.keys if not k.isdigit()], n=3, cutoff=0.6)
        found = {self.names[self.keys[k]] for k in close}
        return found.pop() if len(found) == 1 else None


def county_hints(series: pd.Series, lookup: CountyLookup, *, unreadable: np.ndarray) -> pd.Series:
    """Return, per cell, "是否为诸暨市？" where a county name that cannot be read is close to one name; else "".

    Parameters
    ----------
    series
        One column of the file, cells as read.
    lookup
        The region's county names.
    unreadable
        True where :func:`parse_county` could not read the cell (its ``bad`` mask).

    Returns
    -------
    Series of str
        A question to put before the message of each unreadable cell; same index.
    """
    text = cell_text(series)
    unknown = np.asarray(unreadable, dtype=bool)
    hints = pd.Series("", index=series.index, dtype=object)
    for value in pd.unique(text[unknown]):
        name = lookup.suggest(str(value))
        if name:
            hints[(text == value).to_numpy()] = f"是否为{name}？"
    return hints


def _alias_example(region: Region, names: dict[str, str]) -> County | None:
    """The county whose names illustrate short and former names in messages (``alias_example_adcode`` in region.json)."""
    known = [c for c in region.counties if c.adcode in names]
    chosen = [c for c in known if c.adcode == region.alias_example_adcode] or [c for c in known if c.former_names] or known
    return chosen[0] if chosen else None


def _county_key(text: str) -> str:
    norm = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s\u3000]+", "", norm).removesuffix(".0")


def parse_county(series: pd.Series, lookup: CountyLookup) -> Parsed:
    """Parse county names or codes into six-digit adcodes (strings).

    Parameters
    ----------
    series
        One column of the file, cells as read.
    lookup
        Turns county names and codes into adcodes.

    Returns
    -------
    Parsed
        Values, and masks of blank, unreadable and flagged cells.
    """
    text = cell_text(series)
    values = map_unique(text, lookup.code)
    blank = text.str.strip().eq("").to_numpy(dtype=bool)
    return Parsed(values, blank, ~blank & values.isna().to_numpy(dtype=bool), np.zeros(len(text), dtype=bool))


def swapped_mask(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return True where longitude and latitude look typed the wrong way round (China).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes as arrays (NaN where missing).

    Returns
    -------
    ndarray of bool
        True where the two look swapped.
    """
    lon_ok = (lon >= _LON_RANGE[0]) & (lon <= _LON_RANGE[1])
    lat_ok = (lat >= _LAT_RANGE[0]) & (lat <= _LAT_RANGE[1])
    swapped_ok = (lat >= _LON_RANGE[0]) & (lat <= _LON_RANGE[1]) & (lon >= _LAT_RANGE[0]) & (lon <= _LAT_RANGE[1])
    return ~(lon_ok & lat_ok) & swapped_ok


def to_wgs84_xy(lon: np.ndarray, lat: np.ndarray, *, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert longitude/latitude arrays in a declared datum to WGS-84.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes as arrays (NaN where missing).
    datum
        ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.

    Returns
    -------
    tuple of ndarray
        ``(lon, lat)`` in WGS-84.
    """
    key = check_datum(datum)
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    if key == "gcj02":
        return tuple(np.asarray(a) for a in gcj02_to_wgs84(lon, lat))  # type: ignore[return-value]
    if key == "bd09":
        return tuple(np.asarray(a) for a in bd09_to_wgs84(lon, lat))  # type: ignore[return-value]
    return lon.copy(), lat.copy()  # CGCS2000 is within centimetres of WGS-84


def county_at(lon: np.ndarray, lat: np.ndarray, counties: gpd.GeoDataFrame) -> np.ndarray:
    """Return the adcode of the county containing each WGS-84 point (None outside all).

    Parameters
    ----------
    lon, lat
        WGS-84 Longitudes and latitudes as arrays (NaN where missing).
    counties
        County polygons with ``adcode``, WGS-84.

    Returns
    -------
    ndarray of object
        The adcode of each point's county, or None.
    """
    out = np.full(len(lon), None, dtype=object)
    finite = np.isfinite(lon) & np.isfinite(lat)
    for adcode, geom in zip(counties["adcode"].astype(str), counties.geometry.values, strict=True):
        shapely.prepare(geom)
        inside = np.zeros(len(lon), dtype=bool)
        inside[finite] = shapely.contains_xy(geom, lon[finite], lat[finite])
        out[inside & (out == None)] = adcode  # noqa: E711 (element-wise comparison)
    return out


def distance_to_county_m(lon: np.ndarray, lat: np.ndarray, adcodes: np.ndarray, counties: gpd.GeoDataFrame) -> np.ndarray:
    """Return each WGS-84 point's distance in metres to the county named in ``adcodes`` (NaN if none).

    Parameters
    ----------
    lon, lat
        WGS-84 Longitudes and latitudes as arrays (NaN where missing).
    adcodes
        The county each point is measured to (None for none).
    counties
        County polygons with ``adcode``, any CRS.

    Returns
    -------
    ndarray of float
        Distance in metres (0 inside), NaN where no county is named.
    """
    out = np.full(len(lon), np.nan)
    metric = counties.to_crs(CGCS2000_GK_120E)
    by_code = dict(zip(metric["adcode"].astype(str), metric.geometry.values, strict=True))
    transformer = pyproj.Transformer.from_crs(WGS84, CGCS2000_GK_120E, always_xy=True)
    x, y = transformer.transform(lon, lat)
    for adcode, geom in by_code.items():
        rows = np.flatnonzero((adcodes == adcode) & np.isfinite(x) & np.isfinite(y))
        if len(rows):
            out[rows] = shapely.distance(geom, shapely.points(x[rows], y[rows]))
    return out


@dataclass(frozen=True)
class Located:
    """Where each row's point lies (arrays aligned with the input rows)."""

    lon: np.ndarray  # WGS-84
    lat: np.ndarray
    swapped: np.ndarray  # lat/lon were typed the wrong way round and have been swapped
    county: np.ndarray  # adcode of the county containing the point, None outside Shaoxing
    distance_to_claimed_m: np.ndarray  # 0 inside the claimed county; NaN when unknown


def locate_points(lon: np.ndarray, lat: np.ndarray, claimed: np.ndarray, *, datum: str, counties: gpd.GeoDataFrame) -> Located:
    """Fix swapped columns, convert to WGS-84 and place each point among the counties.

    Parameters
    ----------
    lon, lat
        Coordinates as typed, in ``datum`` (NaN where missing).
    claimed
        Adcode each row claims (None where unknown).
    datum
        ``wgs84``, ``cgcs2000``, ``gcj02`` or ``bd09``.
    counties
        County polygons with ``adcode``; any CRS (converted to WGS-84).

    Returns
    -------
    Located
        WGS-84 points, which were swapped, the county each falls in and the distance to the claimed one.
    """
    require_crs(counties, name="counties")
    counties = counties.to_crs(WGS84)
    swapped = swapped_mask(lon, lat)
    lon_fixed = np.where(swapped, lat, lon)
    lat_fixed = np.where(swapped, lon, lat)
    wgs_lon, wgs_lat = to_wgs84_xy(lon_fixed, lat_fixed, datum=datum)
    county = county_at(wgs_lon, wgs_lat, counties)
    claimed = np.asarray(claimed, dtype=object)
    known = pd.notna(claimed)
    distance = np.where((county == claimed) & known, 0.0, np.nan)
    away = np.flatnonzero((county != claimed) & known)
    if len(away):
        distance[away] = distance_to_county_m(wgs_lon[away], wgs_lat[away], claimed[away], counties)
    return Located(wgs_lon, wgs_lat, swapped, county, distance)
