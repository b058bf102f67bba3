from opkraevning.cli import main

main()
