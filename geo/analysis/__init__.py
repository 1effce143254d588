"""geo/analysis"""
