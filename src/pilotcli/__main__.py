from pilotcli import main

main()
