"""Geometries as GeoPackage binary, and back; the column values are encoded by :mod:`geo.store.values`.

Geometries are stored as GeoPackage binary: an 8-byte header (``GP``,
version 0, flags, SRS id 4326), an envelope for non-point geometries, then
ISO WKB (GeoPackage 1.4 spec, clause 2.1.3).

The value encoding (dtype tokens, value types, extra columns as JSON) is
shared with the PostGIS store and lives in :mod:`geo.store.values`; its names
are re-exported here for the GeoPackage modules.
"""

from __future__ import annotations

import struct
from typing import Any, Final

import numpy as np
import shapely

from geo.store.values import SqlValue as SqlValue
from geo.store.values import decode_column as decode_column
from geo.store.values import decode_extras as decode_extras
from geo.store.values import dtype_from_token as dtype_from_token
from geo.store.values import dtype_token as dtype_token
from geo.store.values import encode_column as encode_column
from geo.store.values import encode_extras as encode_extras
from geo.store.values import quote_identifier as quote_identifier
from geo.store.values import sql_type_for as sql_type_for

SRS_ID: Final = 4326
_SRS = struct.pack("<i", SRS_ID)
# Flags byte: bit 0 little-endian, bits 1-3 envelope kind, bit 4 empty.
_POINT_HEADER: Final = b"GP\x00\x01" + _SRS
_EMPTY_HEADER: Final = b"GP\x00\x11" + _SRS
_XY_ENVELOPE_PREFIX: Final = b"GP\x00\x03" + _SRS
_ENVELOPE_BYTES: Final = (0, 32, 48, 48, 64)  # by envelope kind 0-4


def geometry_blobs(geometries: Any) -> list[bytes | None]:
    """Return GeoPackage geometry blobs (SRS 4326) for an array of shapely geometries.

    Parameters
    ----------
    geometries
        Shapely geometries (None or empty allowed), WGS-84.

    Returns
    -------
    list of bytes or None
        One GeoPackage blob per geometry, None where there is none.
    """
    geoms = np.asarray(geometries, dtype=object)
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    is_point = shapely.get_type_id(geoms) == 0
    is_empty = shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)
    blobs: list[bytes | None] = []
    for raw, point, empty, box in zip(wkb.tolist(), is_point, is_empty, bounds, strict=True):
        if raw is None:
            blobs.append(None)
        elif empty:
            blobs.append(_EMPTY_HEADER + raw)
        elif point:
            blobs.append(_POINT_HEADER + raw)
        else:
            envelope = struct.pack("<4d", box[0], box[2], box[1], box[3])
            blobs.append(_XY_ENVELOPE_PREFIX + envelope + raw)
    return blobs


def geometries_from_blobs(blobs: list[bytes | None]) -> np.ndarray:
    """Return shapely geometries from GeoPackage geometry blobs (None stays None).

    Parameters
    ----------
    blobs
        GeoPackage geometry blobs, None for none.

    Returns
    -------
    ndarray of object
        Shapely geometries, None where the blob was None.
    """
    wkb = [None if b is None else b[8 + _ENVELOPE_BYTES[(b[3] >> 1) & 7] :] for b in blobs]
    return shapely.from_wkb(np.asarray(wkb, dtype=object))
