"""Map building: GeoDataFrames in, folium objects out."""
