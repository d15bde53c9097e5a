"""The scheduler process: one leader (by Redis lock) runs the periodic jobs; any others wait."""
