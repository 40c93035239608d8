"""What runs on the server host next to OpenHCS: the launcher and the result relay."""
