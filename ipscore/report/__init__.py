"""Rich rendering and exports. Reports only present what the library computed."""
