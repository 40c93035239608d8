"""The notebook API: shim, widget model and sidecar launcher."""
