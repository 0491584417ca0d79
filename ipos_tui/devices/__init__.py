"""The till's simulated devices: the fiscal printer (PTU table, electronic journal),
the card terminal app, and the rendering of printouts for the 40-column printer."""
