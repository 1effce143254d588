"""geo/demo"""
