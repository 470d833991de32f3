from pilotcli.cli import main

main()
