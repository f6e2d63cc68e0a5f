"""The ``waystation`` command's sub-commands; ``stations.main`` parses and dispatches."""
