"""A plugin whose import fails (the discovery error must name it, on one line)."""

raise RuntimeError("the plugin's database driver is missing\nsecond line of the error")
