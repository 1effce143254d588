"""Pure data work for the Shaoxing small-micro enterprise park map.

GeoDataFrames in, GeoDataFrames out; everything in an explicit CRS.
"""
