"""An example imbridge handler plugin (see ``handlers``)."""
