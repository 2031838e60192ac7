"""Tools on top of the pipeline: the Land runner and the config scaffold for a new commune."""
