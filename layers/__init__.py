"""Map building: GeoDataFrames in, folium objects out.

Importing this package makes branca keep rendered map text as text
(:mod:`layers.verbatim`): text from data never reaches a template compiler.
"""

from layers import verbatim

verbatim.install()
