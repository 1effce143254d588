"""geo/region"""
