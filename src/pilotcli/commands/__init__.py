"""One module per command: its options and the few lines that call the core and render it.

`pilotcli.cli` imports only the module of the command a call runs (all of them for the help).
"""
